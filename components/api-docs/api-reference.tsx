// The service API reference, rendered on the server from the OpenAPI document: no script of its own,
// so it works under the app's strict CSP. Built from the components/ui primitives that need no script.
import { BookOpen, FileJson } from 'lucide-react';
import { buttonVariants } from '../ui/button';
import { PageHeader } from '../ui/page-header';
import { CodeBlock } from './code-block';
import { clientSetup, standardWebhooksExample, verifyExample } from './examples';
import { InlineCode } from './inline-code';
import { MethodBadge, operationAnchor, OperationView } from './operation';
import { anchorFor, operationsOf, type Document } from './openapi-types';
import { SchemaView } from './schema-view';

const CARD = 'space-y-4 rounded-lg bg-white p-4 ring-1 ring-slate-200 sm:p-6 dark:bg-slate-900 dark:ring-slate-800';
const H2 = 'text-xl font-semibold';

export function ApiReference({ doc, baseUrl }: { doc: Document; baseUrl: string }) {
  const entries = operationsOf(doc);
  const tags = (doc.tags ?? []).filter((tag) => entries.some((e) => e.op.tags?.includes(tag.name)));
  const schemas = doc.components?.schemas ?? {};
  const eventTypes = (schemas.WebhookEventType?.enum ?? []).map(String);
  return (
    <div className="space-y-8">
      <div>
        <PageHeader
          title={doc.info.title}
          icon={BookOpen}
          actions={
            <a href="/api/v1/openapi.json" className={buttonVariants({ variant: 'secondary' })}>
              <FileJson aria-hidden="true" className="size-4" />
              OpenAPI 3.1 document (JSON)
            </a>
          }
        />
        <div className="-mt-3 max-w-prose space-y-3">
          {doc.info.description?.split('\n\n').map((paragraph) => (
            <p key={paragraph} className="text-sm text-slate-700 dark:text-slate-300">
              <InlineCode text={paragraph} />
            </p>
          ))}
        </div>
      </div>

      <nav aria-label="Operations" className={CARD}>
        <h2 className="text-sm font-semibold">Contents</h2>
        <div className="grid gap-4 sm:grid-cols-2">
          {tags.map((tag) => (
            <div key={tag.name}>
              <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{tag.name}</h3>
              <ul className="mt-1 space-y-1 text-sm">
                {entries
                  .filter((e) => e.op.tags?.includes(tag.name))
                  .map((e) => (
                    <li key={e.op.operationId} className="flex items-center gap-2">
                      <MethodBadge method={e.method} />
                      <a href={`#${operationAnchor(e.op.operationId)}`} className="text-blue-700 hover:underline dark:text-blue-300">
                        {e.op.summary}
                      </a>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
          <div>
            <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">More</h3>
            <ul className="mt-1 space-y-1 text-sm">
              <li>
                <a href="#webhooks" className="text-blue-700 hover:underline dark:text-blue-300">
                  Webhooks
                </a>
              </li>
              <li>
                <a href="#schemas" className="text-blue-700 hover:underline dark:text-blue-300">
                  Schemas
                </a>
              </li>
            </ul>
          </div>
        </div>
      </nav>

      <section aria-labelledby="client-heading" className={CARD}>
        <h2 id="client-heading" className={H2}>
          TypeScript client
        </h2>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          <InlineCode text="The `@reconnect/client` package (in the repository's `client/` folder) is typed from this document and needs only `fetch`. It turns error answers into `NeedsReauthError` (with `reconnectUrl`), `TemporarilyUnavailableError` and `RateLimitedError` (with `retryAfterSeconds`), all subclasses of `ReconnectError`." />
        </p>
        <CodeBlock label="setup" code={clientSetup(baseUrl)} />
      </section>

      {tags.map((tag) => (
        <section key={tag.name} aria-labelledby={`tag-${tag.name}`} className="space-y-4">
          <div>
            <h2 id={`tag-${tag.name}`} className={H2}>
              {tag.name}
            </h2>
            {tag.description && <p className="text-sm text-slate-600 dark:text-slate-400">{tag.description}</p>}
          </div>
          {entries
            .filter((e) => e.op.tags?.includes(tag.name))
            .map((e) => (
              <OperationView key={e.op.operationId} doc={doc} entry={e} baseUrl={baseUrl} />
            ))}
        </section>
      ))}

      <section id="webhooks" aria-labelledby="webhooks-heading" className={CARD}>
        <h2 id="webhooks-heading" className={H2}>
          Webhooks
        </h2>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          <InlineCode text="Reconnect signs each delivery with Standard Webhooks: headers `webhook-id` (stable across retries), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, several during a secret rotation). Deliveries are at least once and in order per connection; answer 2xx quickly, and dedupe on `webhook-id`. A 410 answer disables the endpoint." />
        </p>
        <h3 className="text-sm font-semibold">Event types</h3>
        <ul aria-label="Event types" className="flex flex-wrap gap-2">
          {eventTypes.map((type) => (
            <li key={type}>
              <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-800">{type}</code>
            </li>
          ))}
        </ul>
        <h3 className="text-sm font-semibold">Payload</h3>
        {schemas.WebhookEvent && <SchemaView schema={schemas.WebhookEvent} />}
        <h3 className="text-sm font-semibold">Verifying</h3>
        <div className="grid min-w-0 gap-3 lg:grid-cols-2">
          <CodeBlock label="TypeScript client" code={verifyExample} />
          <CodeBlock label="standardwebhooks" code={standardWebhooksExample} />
        </div>
      </section>

      <section id="schemas" aria-labelledby="schemas-heading" className="space-y-4">
        <h2 id="schemas-heading" className={H2}>
          Schemas
        </h2>
        {Object.entries(schemas).map(([name, schema]) => (
          <section key={name} id={anchorFor(name)} aria-label={name} className={`scroll-mt-4 ${CARD}`}>
            <h3 className="font-mono text-base font-semibold">{name}</h3>
            {schema.description && (
              <p className="text-sm text-slate-700 dark:text-slate-300">
                <InlineCode text={schema.description} />
              </p>
            )}
            <SchemaView schema={schema} />
          </section>
        ))}
      </section>
    </div>
  );
}
