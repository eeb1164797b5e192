import {
  CircleCheck,
  CircleX,
  FlaskConical,
  KeyRound,
  Link2,
  Mail,
  MailWarning,
  MailX,
  Plug,
  RefreshCw,
  RotateCw,
  Settings,
  ShieldAlert,
  Unplug,
  type LucideIcon,
} from 'lucide-react';
import type { TimelineIcon } from '@/lib/connections/timeline';
import type { Tone } from '@/lib/tone';

const ICONS: Record<TimelineIcon, LucideIcon> = {
  connected: Plug,
  reconnected: Link2,
  disconnected: Unplug,
  refreshed: RefreshCw,
  retrying: RotateCw,
  recovered: CircleCheck,
  broken: ShieldAlert,
  config: Settings,
  api: KeyRound,
  'test-ok': FlaskConical,
  'test-failed': CircleX,
  mail: Mail,
  'mail-failed': MailWarning,
  'mail-off': MailX,
};

// The Badge palette's colours, as a round chip behind the icon (contrast ≥ 3:1 for the glyph in both modes).
const CHIP: Record<Tone, string> = {
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  warn: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  bad: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  muted: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  info: 'bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-300',
};

export function EventIcon({ icon, tone }: { icon: TimelineIcon; tone: Tone }) {
  const Icon = ICONS[icon];
  return (
    <span className={`flex size-8 shrink-0 items-center justify-center rounded-full ${CHIP[tone]}`}>
      <Icon aria-hidden="true" className="size-4" />
    </span>
  );
}
