'use client';

import { cva } from 'class-variance-authority';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

const navLinkVariants = cva(
  'inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400',
  {
    variants: {
      current: {
        true: 'bg-blue-50 text-blue-800 underline decoration-2 underline-offset-4 dark:bg-blue-950 dark:text-blue-200',
        false: 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800',
      },
    },
  },
);

/** A navigation link that knows it is the current page: aria-current and a visible underline. */
export function NavLink({ href, children, exact = false, also = [] }: { href: string; children: ReactNode; exact?: boolean; also?: string[] }) {
  const path = usePathname();
  const under = (base: string) => path === base || path.startsWith(`${base}/`);
  // `also`: other sections that belong to this link (a connection's own page belongs to "Connections").
  const current = (exact ? path === href : under(href)) || also.some(under);
  return (
    <Link
      href={href}
      aria-current={current ? 'page' : undefined}
      className={navLinkVariants({ current })}
    >
      {children}
    </Link>
  );
}
