import { statusLabel } from '@/lib/connections/health';
import { Badge } from './ui/badge';

export function StatusBadge({ status }: { status: string }) {
  const { label, tone } = statusLabel(status);
  return (
    <Badge tone={tone} data-testid="status-badge">
      {label}
    </Badge>
  );
}
