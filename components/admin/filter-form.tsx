import { statusLabel } from '@/lib/connections/health';
import { adminHref, MIN_SEARCH, type AdminQuery, type SortName } from '@/lib/admin/params';
import { productLabel, type Product } from '@/lib/providers/registry';
import { CONNECTION_STATUSES } from '@/lib/db/schema';
import { Button, LinkButton } from '../ui/button';
import { Card } from '../ui/card';
import { Field, Input, Select } from '../ui/field';

const SORT_LABEL: Record<SortName, string> = {
  updated: 'Last change',
  created: 'Created',
  refreshed: 'Last refreshed',
  status: 'Status (worst first)',
  owner: 'Owner',
  renew_by: 'Renew by (soonest first)',
};

function SelectField({ name, label, value, options }: { name: string; label: string; value?: string; options: [string, string][] }) {
  return (
    <Field label={label}>
      {(control) => (
        <Select {...control} name={name} defaultValue={value ?? ''}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/**
 * A plain GET form: the filters land in the URL, so that any view can be bookmarked or shared. Its fields start
 * from the current query, and the form is keyed by it: after a status chip (a client-side navigation) the fields
 * show the chip's filter, not what they showed before. Filters without a field here (renew=soon) ride along as
 * hidden fields; the page position does not (new filters start at the first page).
 * `products`: the products on offer (the registry's, test-only ones only when turned on).
 */
export function FilterForm({ query, products }: { query: AdminQuery; products: readonly Product[] }) {
  const statuses: [string, string][] = [['', 'Any (not disconnected)'], ...CONNECTION_STATUSES.map((s): [string, string] => [s, statusLabel(s).label])];
  return (
    <Card>
      <form key={adminHref(query)} method="get" action="/admin" role="search" aria-label="Filter connections">
        {query.renew && <input type="hidden" name="renew" value={query.renew} />}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Search" className="sm:col-span-2">
            {(control) => (
              <Input {...control} name="q" type="search" defaultValue={query.q ?? ''} placeholder="User or account email, account name, site" minLength={MIN_SEARCH} />
            )}
          </Field>
          <Field label="Owner email">{(control) => <Input {...control} name="owner" defaultValue={query.owner ?? ''} placeholder="e.g. alice@" />}</Field>
          <Field label="Site">{(control) => <Input {...control} name="site" defaultValue={query.site ?? ''} placeholder="Site name or cloud id" />}</Field>
          <SelectField name="status" label="Status" value={query.status} options={statuses} />
          <SelectField name="product" label="Product" value={query.product} options={[['', 'Any'], ...products.map((p) => [p, productLabel(p)] as [string, string])]} />
          <SelectField name="sort" label="Sort by" value={query.sort} options={Object.entries(SORT_LABEL) as [string, string][]} />
          <SelectField name="dir" label="Order" value={query.dir} options={[['desc', 'Descending'], ['asc', 'Ascending']]} />
        </div>
        <div className="mt-4 flex flex-wrap items-center gap-2">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <LinkButton href="/admin" variant="ghost">
            Clear filters
          </LinkButton>
        </div>
      </form>
    </Card>
  );
}
