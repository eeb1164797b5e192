import { FlaskConical } from 'lucide-react';

export function SandboxBanner() {
  return (
    <div role="note" aria-label="Sandbox" className="bg-amber-400 px-4 py-2 text-center text-sm font-medium text-amber-950">
      <FlaskConical aria-hidden="true" className="mr-1.5 inline size-4 align-[-0.125em]" />
      <strong>Sandbox</strong> — connected to the bundled Atlassian simulator. No real Atlassian data is used.
    </div>
  );
}
