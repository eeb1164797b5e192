import { LogOut, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { signOutAction } from '@/app/(dashboard)/actions';
import type { NextAction } from '@/lib/pages/dead-ends';
import type { Tone } from '@/lib/tone';
import { Button, LinkButton } from './ui/button';
import { Card } from './ui/card';
import { TONE_ICONS } from './ui/notice';
import { PageHeader } from './ui/page-header';


interface DeadEndViewProps {
  title: string;
  /** What happened. */
  explanation: ReactNode;
  /** What to do next. */
  nextStep: ReactNode;
  actions: NextAction[];
  tone?: Tone;
  icon?: LucideIcon;
}

/** The sign-out button of the app (a POST: the session row is deleted), as a dead end's way on. */
export function SignOutButton({ label = 'Sign out', variant = 'primary' }: { label?: string; variant?: 'primary' | 'secondary' }) {
  return (
    <form action={signOutAction}>
      <Button type="submit" variant={variant}>
        <LogOut aria-hidden="true" className="size-4" />
        {label}
      </Button>
    </form>
  );
}

/** Every dead end looks alike: what happened, what to do next, and the button that leads on (the first is primary). */
export function DeadEndView({ title, explanation, nextStep, actions, tone = 'warn', icon }: DeadEndViewProps) {
  return (
    <div className="mx-auto max-w-xl" data-testid="dead-end">
      <Card>
        <PageHeader icon={icon ?? TONE_ICONS[tone]} title={title} />
        <div className="-mt-3 space-y-3 text-slate-700 dark:text-slate-300">
          <p>{explanation}</p>
          <p>
            <span className="font-semibold text-slate-900 dark:text-slate-100">What to do next: </span>
            {nextStep}
          </p>
        </div>
        <div className="mt-5 flex flex-wrap items-center gap-2">
          {actions.map((a, i) =>
            a.kind === 'sign-out' ? (
              <SignOutButton key={a.label} label={a.label} variant={i === 0 ? 'primary' : 'secondary'} />
            ) : (
              <LinkButton key={a.href} href={a.href} variant={i === 0 ? 'primary' : 'secondary'}>
                {a.label}
              </LinkButton>
            ),
          )}
        </div>
      </Card>
    </div>
  );
}
