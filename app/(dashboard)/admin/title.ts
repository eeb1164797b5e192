import type { Metadata } from 'next';
import { currentUser } from '@/lib/auth/session';
import { databasePage } from '@/lib/pages/database-page';
import { ADMINS_ONLY, pageTitle } from '@/lib/pages/titles';

/**
 * An admin page's generateMetadata: its own title for an admin; for anyone else the page is the "Admins only"
 * refusal (requireAdmin → app/forbidden.tsx), and so is its title. Next takes a page's title from the page even when
 * the page renders forbidden(), hence the check here.
 */
export function adminPageMetadata(page: string): (props: unknown) => Promise<Metadata> {
  return databasePage(async (): Promise<Metadata> => {
    const user = await currentUser();
    return { title: pageTitle(user?.role === 'admin' ? page : ADMINS_ONLY) };
  });
}
