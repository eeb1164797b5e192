// One operation of the reference: method and path, what it does, parameters, body, answers with
// their error codes, and the curl and TypeScript-client examples.
import { CodeBlock } from './code-block';
import { curlFor, EXAMPLES } from './examples';
import { InlineCode } from './inline-code';
import { anchorFor, refName, type Document, type JsonSchema, type OperationEntry } from './openapi-types';
import { SchemaView } from './schema-view';

const METHOD_TONES: Record<string, string> = {
  get: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  post: 'bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-200',
  put: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  patch: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  delete: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
};

export function MethodBadge({ method }: { method: string }) {
  return <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-bold uppercase ${METHOD_TONES[method] ?? ''}`}>{method}</span>;
}

export const operationAnchor = (operationId: string) => `op-${operationId}`;

/** The `code` values an error answer's schema allows. */
function errorCodes(doc: Document, schema: JsonSchema | undefined): string[] {
  const named = schema?.$ref ? doc.components?.schemas?.[refName(schema.$ref)] : schema;
  const code = named?.properties?.error?.properties?.code;
  return (code?.enum ?? []).map(String);
}

function SchemaOrRef({ doc, schema }: { doc: Document; schema: JsonSchema }) {
  if (!schema.$ref) return <SchemaView schema={schema} />;
  const name = refName(schema.$ref);
  return (
    <div>
      <a href={`#${anchorFor(name)}`} className="font-mono text-sm text-blue-700 hover:underline dark:text-blue-300">
        {name}
      </a>
      <div className="mt-2">
        <SchemaView schema={doc.components?.schemas?.[name] ?? schema} />
      </div>
    </div>
  );
}

const H3 = 'text-sm font-semibold text-slate-900 dark:text-slate-100';

export function OperationView({ doc, entry, baseUrl }: { doc: Document; entry: OperationEntry; baseUrl: string }) {
  const { method, path, op } = entry;
  const example = EXAMPLES[op.operationId as keyof typeof EXAMPLES];
  const isPublic = Array.isArray(op.security) && op.security.length === 0;
  const body = op.requestBody?.content['application/json']?.schema;
  return (
    <section
      id={operationAnchor(op.operationId)}
      aria-labelledby={`${operationAnchor(op.operationId)}-title`}
      className="scroll-mt-4 space-y-4 rounded-lg bg-white p-4 ring-1 ring-slate-200 sm:p-6 dark:bg-slate-900 dark:ring-slate-800"
    >
      <header className="space-y-1">
        <h3 id={`${operationAnchor(op.operationId)}-title`} className="text-lg font-semibold">
          {op.summary}
        </h3>
        <p className="flex min-w-0 flex-wrap items-center gap-2">
          <MethodBadge method={method} />
          <code className="font-mono text-sm break-all">{path}</code>
          {isPublic && <span className="text-xs text-slate-500 dark:text-slate-400">no API key</span>}
        </p>
      </header>
      {op.description && (
        <p className="text-sm text-slate-700 dark:text-slate-300">
          <InlineCode text={op.description} />
        </p>
      )}
      {op.parameters && op.parameters.length > 0 && (
        <div className="space-y-2">
          <h4 className={H3}>Parameters</h4>
          <ul className="space-y-1 text-sm">
            {op.parameters.map((p) => (
              <li key={`${p.in}-${p.name}`}>
                <code className="font-mono font-semibold">{p.name}</code>{' '}
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  in {p.in}
                  {p.required ? ', required' : ''}
                </span>
                {p.description && (
                  <span className="text-slate-700 dark:text-slate-300">
                    {' '}
                    — <InlineCode text={p.description} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {body && (
        <div className="space-y-2">
          <h4 className={H3}>Request body{op.requestBody?.required ? '' : ' (optional)'}</h4>
          <SchemaOrRef doc={doc} schema={body} />
        </div>
      )}
      <div className="space-y-2">
        <h4 className={H3}>Responses</h4>
        <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
          {Object.entries(op.responses).map(([status, response]) => {
            const schema = response.content?.['application/json']?.schema;
            const codes = errorCodes(doc, schema);
            return (
              <li key={status} className="py-1.5">
                <div className="flex flex-wrap items-baseline gap-x-2">
                  <span className={`font-mono font-semibold ${Number(status) >= 400 ? 'text-red-700 dark:text-red-300' : 'text-emerald-700 dark:text-emerald-300'}`}>
                    {status}
                  </span>
                  {codes.map((code) => (
                    <code key={code} className="rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800">
                      {code}
                    </code>
                  ))}
                  {schema?.$ref && codes.length === 0 && (
                    <a href={`#${anchorFor(refName(schema.$ref))}`} className="font-mono text-xs text-blue-700 hover:underline dark:text-blue-300">
                      {refName(schema.$ref)}
                    </a>
                  )}
                  {response.headers &&
                    Object.keys(response.headers).map((h) => (
                      <span key={h} className="text-xs text-slate-500 dark:text-slate-400">
                        + {h} header
                      </span>
                    ))}
                </div>
                <p className="text-slate-700 dark:text-slate-300">
                  <InlineCode text={response.description} />
                </p>
              </li>
            );
          })}
        </ul>
      </div>
      {example && (
        <div className="grid min-w-0 gap-3 lg:grid-cols-2">
          <CodeBlock label="curl" code={curlFor(baseUrl, method, path, example, isPublic)} />
          <CodeBlock label="TypeScript client" code={example.client} />
        </div>
      )}
    </section>
  );
}
