/** Reconnect's mark: two link halves closing into a loop, drawn in the current text colour's blue. */
export function ProductMark({ className = 'size-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <rect width="32" height="32" rx="7" className="fill-blue-700 dark:fill-blue-500" />
      <path d="M13.5 11.5h-2a4.5 4.5 0 0 0 0 9h2" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
      <path d="M18.5 11.5h2a4.5 4.5 0 0 1 0 9h-2" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
      <path d="M12.5 16h7" stroke="#bfdbfe" strokeWidth="2.6" strokeLinecap="round" />
    </svg>
  );
}
