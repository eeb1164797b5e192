// The mails' frame, in the app's look: slate text on white, one blue primary button, a quiet footer.
import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Section, Text } from '@react-email/components';
import type { ReactNode } from 'react';

export const COLORS = { text: '#0f172a', muted: '#475569', blue: '#1d4ed8', border: '#e2e8f0', bg: '#f8fafc', bad: '#b91c1c' };

const font = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

export function MailLayout({ preview, title, children, footer }: { preview: string; title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: COLORS.bg, fontFamily: font, color: COLORS.text, margin: 0, padding: '24px 0' }}>
        <Container style={{ backgroundColor: '#ffffff', border: `1px solid ${COLORS.border}`, borderRadius: 8, maxWidth: 560, padding: 24 }}>
          <Text style={{ fontSize: 14, fontWeight: 600, color: COLORS.blue, margin: 0 }}>Reconnect</Text>
          <Heading as="h1" style={{ fontSize: 20, fontWeight: 600, margin: '12px 0' }}>
            {title}
          </Heading>
          {children}
          <Hr style={{ borderColor: COLORS.border, margin: '24px 0 12px' }} />
          <Section style={{ fontSize: 12, color: COLORS.muted }}>{footer}</Section>
        </Container>
      </Body>
    </Html>
  );
}

export function PrimaryButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Button
      href={href}
      style={{ backgroundColor: COLORS.blue, color: '#ffffff', borderRadius: 6, padding: '10px 18px', fontSize: 14, fontWeight: 600, textDecoration: 'none' }}
    >
      {children}
    </Button>
  );
}

export const paragraph = { fontSize: 14, lineHeight: '22px', margin: '12px 0' };
