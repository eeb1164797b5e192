import { ChevronLeft, ChevronRight, ChevronsLeft } from 'lucide-react';
import type { AdminConnectionPage } from '@/lib/admin/connections';
import { adminHref, type AdminQuery } from '@/lib/admin/params';
import { LinkButton } from '../ui/button';

const ICON = 'size-4';

/** Keyset pagination: links carry the cursor of the first/last row shown, never a page number. */
export function Pagination({ query, page }: { query: AdminQuery; page: AdminConnectionPage }) {
  const onFirstPage = !page.previous;
  if (onFirstPage && !page.next) return null;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2">
      <div className="flex flex-wrap gap-2">
        {!onFirstPage && (
          <LinkButton href={adminHref(query)}>
            <ChevronsLeft aria-hidden="true" className={ICON} />
            First page
          </LinkButton>
        )}
        {page.previous && (
          <LinkButton href={adminHref(query, { before: page.previous, after: undefined })} rel="prev">
            <ChevronLeft aria-hidden="true" className={ICON} />
            Previous page
          </LinkButton>
        )}
      </div>
      {page.next && (
        <LinkButton href={adminHref(query, { after: page.next, before: undefined })} rel="next">
          Next page
          <ChevronRight aria-hidden="true" className={ICON} />
        </LinkButton>
      )}
    </nav>
  );
}
