export function CodeBlock({ label, code }: { label: string; code: string }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{label}</figcaption>
      <pre tabIndex={0} aria-label={`${label} example`} className="overflow-x-auto rounded-md bg-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 p-3 text-xs leading-relaxed text-slate-100 dark:bg-slate-950 dark:ring-1 dark:ring-slate-800">
        <code>{code}</code>
      </pre>
    </figure>
  );
}
