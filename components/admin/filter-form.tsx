import Link from 'next/link';
import { statusLabel } from '@/lib/connections/health';
import { MIN_SEARCH, type AdminQuery, type SortName } from '@/lib/admin/params';
import { productLabel } from '@/lib/atlassian/products';
import { CONNECTION_STATUSES, PRODUCTS } from '@/lib/db/schema';

const SORT_LABEL: Record<SortName, string> = {
  updated: 'Last change',
  created: 'Created',
  refreshed: 'Last refreshed',
  status: 'Status (worst first)',
  owner: 'Owner',
};

const FIELD = 'mt-1 block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-blue-700 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700';
const LABEL = 'block text-sm font-medium text-slate-700 dark:text-slate-300';

interface TextFieldProps {
  name: string;
  label: string;
  value?: string;
  placeholder?: string;
  type?: string;
  minLength?: number;
}

function TextField({ name, label, value, placeholder, type = 'text', minLength }: TextFieldProps) {
  return (
    <div>
      <label htmlFor={`filter-${name}`} className={LABEL}>
        {label}
      </label>
      <input id={`filter-${name}`} name={name} type={type} defaultValue={value ?? ''} placeholder={placeholder} minLength={minLength} className={FIELD} />
    </div>
  );
}

function SelectField({ name, label, value, options }: { name: string; label: string; value?: string; options: [string, string][] }) {
  return (
    <div>
      <label htmlFor={`filter-${name}`} className={LABEL}>
        {label}
      </label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ''} className={FIELD}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A plain GET form: the filters land in the URL, so that any view can be bookmarked or shared. */
export function FilterForm({ query }: { query: AdminQuery }) {
  const statuses: [string, string][] = [['', 'Any (not disconnected)'], ...CONNECTION_STATUSES.map((s): [string, string] => [s, statusLabel(s).label])];
  return (
    <form method="get" action="/admin" role="search" aria-label="Filter connections" className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2">
          <TextField name="q" label="Search" type="search" value={query.q} placeholder="User or account email, account name, site" minLength={MIN_SEARCH} />
        </div>
        <TextField name="owner" label="Owner email" value={query.owner} placeholder="e.g. alice@" />
        <TextField name="site" label="Site" value={query.site} placeholder="Site name or cloud id" />
        <SelectField name="status" label="Status" value={query.status} options={statuses} />
        <SelectField name="product" label="Product" value={query.product} options={[['', 'Any'], ...PRODUCTS.map((p) => [p, productLabel(p)] as [string, string])]} />
        <SelectField name="sort" label="Sort by" value={query.sort} options={Object.entries(SORT_LABEL) as [string, string][]} />
        <SelectField name="dir" label="Order" value={query.dir} options={[['desc', 'Descending'], ['asc', 'Ascending']]} />
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          Apply filters
        </button>
        <Link href="/admin" className="text-sm text-blue-700 hover:underline dark:text-blue-300">
          Clear filters
        </Link>
      </div>
    </form>
  );
}
