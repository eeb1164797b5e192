export function SandboxBanner() {
  return (
    <div
      role="note"
      aria-label="Sandbox"
      className="bg-amber-400 px-4 py-2 text-center text-sm font-medium text-amber-950"
    >
      <strong>Sandbox</strong> — connected to the bundled Atlassian simulator. No real Atlassian data is used.
    </div>
  );
}
