import type { Metadata } from 'next';
import type { Product } from '@/lib/providers/registry';
import { deadEnd } from '@/lib/pages/dead-ends';
import { pageTitle } from '@/lib/pages/titles';

/** A dead end is titled for what it says, as its heading does ("This link is not valid · Reconnect"), whatever its status. */
export function deadEndMetadata(code: string, product?: Product): Metadata {
  return { title: pageTitle(deadEnd(code).title({ product })), robots: { index: false } };
}
