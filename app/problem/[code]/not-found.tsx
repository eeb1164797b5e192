import type { Metadata } from 'next';
import { deadEndMetadata } from './metadata';

// A dead end answering 404 (an unknown link, a connection that is gone; the status comes from proxy.ts) is a normal
// render of page.tsx, but Next takes the title of a 404 response from the nearest not-found boundary: this one, so
// that the tab says what the page says ("This link is not valid"), not "Page not found". Its view is the app's own.
export async function generateMetadata({ params }: { params: Promise<{ code: string }> }): Promise<Metadata> {
  return deadEndMetadata((await params).code);
}

export { default } from '../../not-found';
