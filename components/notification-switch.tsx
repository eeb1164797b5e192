import { Mail, MailX } from 'lucide-react';
import { setMyEmailsAction } from '@/app/(dashboard)/actions';
import { ActionForm } from './action-form';
import { Card } from './ui/card';

/** The user-wide switch for notification emails, on My connections. */
export function NotificationSwitch({ on, mailOn }: { on: boolean; mailOn: boolean }) {
  const Icon = on ? Mail : MailX;
  return (
    <Card aria-label="Email notifications">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <Icon aria-hidden="true" className="size-4 shrink-0 text-slate-600 dark:text-slate-400" />
        <p className="min-w-0 flex-1">
          {on
            ? 'You get an email when one of your connections needs reconnecting. Turn it off per connection below, or for all.'
            : 'Notification emails are off for all your connections.'}
          {!mailOn && ' (This Reconnect sends no email: the admin has not set up mail.)'}
        </p>
        <ActionForm
          action={setMyEmailsAction}
          fields={{ enabled: on ? 'off' : 'on' }}
          label={on ? 'Turn off all emails' : 'Turn on emails'}
          pendingLabel="Saving…"
        />
      </div>
    </Card>
  );
}
