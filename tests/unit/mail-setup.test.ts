import { describe, expect, it } from 'vitest';
import { mailSetup } from '../../lib/notifications/admin';

const base = { emailFrom: 'Reconnect <r@example.com>', notifyDegradedAfterHours: 24 };

describe('what the admin page says about mail', () => {
  it('live mode without SMTP_URL: notifications are off, and it says why', () => {
    const setup = mailSetup({ ...base, mode: 'live', smtpUrl: undefined });
    expect(setup.on).toBe(false);
    expect(setup.text).toContain('Notifications are off: SMTP_URL is not set');
  });

  it('configured: on, naming the server but never its credentials', () => {
    const setup = mailSetup({ ...base, mode: 'live', smtpUrl: 'smtps://mailer:s3cret-pass@smtp.example.com:465' });
    expect(setup.on).toBe(true);
    expect(setup.text).toContain('smtp.example.com:465');
    expect(setup.text).not.toContain('s3cret-pass');
    expect(setup.text).not.toContain('mailer');
  });

  it('sandbox with the local mail catcher points to the Inbox', () => {
    expect(mailSetup({ ...base, mode: 'sandbox', smtpUrl: 'smtp://127.0.0.1:4025' }).text).toContain('the sandbox mail catcher (see the Inbox on /sandbox)');
  });
});
