import Link from 'next/link';
import type { AdminConnectionPage } from '@/lib/admin/connections';
import { adminHref, type AdminQuery } from '@/lib/admin/params';

const LINK = 'rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:ring-slate-700 dark:hover:bg-slate-800';

/** Keyset pagination: links carry the cursor of the first/last row shown, never a page number. */
export function Pagination({ query, page }: { query: AdminQuery; page: AdminConnectionPage }) {
  const onFirstPage = !page.previous;
  if (onFirstPage && !page.next) return null;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2">
      <div className="flex gap-2">
        {!onFirstPage && (
          <Link href={adminHref(query)} className={LINK}>
            First page
          </Link>
        )}
        {page.previous && (
          <Link href={adminHref(query, { before: page.previous, after: undefined })} rel="prev" className={LINK}>
            ← Previous page
          </Link>
        )}
      </div>
      {page.next && (
        <Link href={adminHref(query, { after: page.next, before: undefined })} rel="next" className={LINK}>
          Next page →
        </Link>
      )}
    </nav>
  );
}
