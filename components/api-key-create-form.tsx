'use client';

import { useActionState, useEffect } from 'react';
import { createApiKeyAction, type ApiKeyActionState } from '@/app/(dashboard)/admin/api-keys/actions';
import { Button } from './ui/button';
import { SecretValue } from './ui/copy-button';
import { Field, Input } from './ui/field';
import { ErrorState, Notice } from './ui/notice';
import { useToast } from './ui/toast';

export function ApiKeyCreateForm() {
  const [state, action, pending] = useActionState<ApiKeyActionState, FormData>(createApiKeyAction, {});
  const toast = useToast();
  useEffect(() => {
    if (state.message && !state.key) toast('ok', state.message);
  }, [state, toast]);
  return (
    <form action={action} className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <Field label="Name" className="flex-1 sm:max-w-xs">
          {(control) => <Input {...control} name="name" required maxLength={100} placeholder="e.g. sync-service" />}
        </Field>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create API key'}
        </Button>
      </div>
      {state.error && <ErrorState title={state.error} />}
      {state.key && (
        <Notice tone="warn" title={state.message}>
          <SecretValue value={state.key} label="Copy API key" name="New API key" />
        </Notice>
      )}
    </form>
  );
}
