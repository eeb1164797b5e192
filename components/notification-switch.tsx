import { setMyEmailsAction } from '@/app/(dashboard)/actions';
import { ActionForm } from './action-form';

/** The user-wide switch for notification emails, on My connections. */
export function NotificationSwitch({ on, mailOn }: { on: boolean; mailOn: boolean }) {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-900">
      <p className="flex-1">
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
  );
}
