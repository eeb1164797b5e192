import type { z } from 'zod';
import { currentUser, type SessionUser } from '../auth/session';
import { isDatabaseUnavailable } from '../db/unavailable';
import { CONTROL_CHARS_MESSAGE, controlCharField } from '../input';

export interface ActionState {
  ok?: boolean;
  message?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

/**
 * Every server action is a public POST endpoint: this wrapper checks the session and parses the
 * input (no control characters anywhere, then zod) before `fn` runs; a failure answers with a readable message and writes nothing.
 */
export function validatedActionWithUser<S extends z.ZodType>(
  schema: S,
  fn: (data: z.infer<S>, user: SessionUser) => Promise<ActionState>,
) {
  return async (_prev: ActionState, formData: FormData): Promise<ActionState> => {
    try {
      return await checkedAction(schema, fn, formData);
    } catch (err) {
      // The database is away (a restart): say so on the form instead of failing the action with a 500.
      if (isDatabaseUnavailable(err)) return { error: DATABASE_UNAVAILABLE_MESSAGE };
      throw err;
    }
  };
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is temporarily unavailable, so nothing changed. Try again in a few seconds.';

async function checkedAction<S extends z.ZodType>(
  schema: S,
  fn: (data: z.infer<S>, user: SessionUser) => Promise<ActionState>,
  formData: FormData,
): Promise<ActionState> {
  const user = await currentUser();
  if (!user) return { error: 'Your session has ended. Sign in again.' };
  const bad = controlCharField(formData);
  if (bad !== undefined) return { error: `The field "${bad}" ${CONTROL_CHARS_MESSAGE}.`, fieldErrors: { [bad]: CONTROL_CHARS_MESSAGE } };
  const parsed = schema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
    return { error: Object.values(fieldErrors)[0] ?? 'Invalid input.', fieldErrors };
  }
  return fn(parsed.data, user);
}

/** validatedActionWithUser for admin-only actions: a signed-in non-admin gets a plain refusal. */
export function validatedActionWithAdmin<S extends z.ZodType, R extends ActionState>(
  schema: S,
  fn: (data: z.infer<S>, user: SessionUser) => Promise<R>,
) {
  return validatedActionWithUser(schema, async (data, user) => (user.role === 'admin' ? fn(data, user) : { error: 'Only admins can do this.' }));
}
