// A JSON schema as a nested list of fields: name, type, required, constraints and description.
import { InlineCode } from './inline-code';
import { anchorFor, refName, type JsonSchema } from './openapi-types';

function typeLabel(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeLabel).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('array') && schema.items) return `${typeLabel(schema.items)}[]${types.includes('null') ? ' | null' : ''}`;
  const label = types.join(' | ') || 'any';
  return schema.format ? `${label} (${schema.format})` : label;
}

function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.minItems !== undefined) out.push(`at least ${schema.minItems}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}

function TypeText({ schema }: { schema: JsonSchema }) {
  const label = typeLabel(schema);
  if (schema.$ref) {
    return (
      <a href={`#${anchorFor(label)}`} className="font-mono text-xs text-blue-700 hover:underline dark:text-blue-300">
        {label}
      </a>
    );
  }
  return <span className="font-mono text-xs break-words text-slate-600 dark:text-slate-400">{label}</span>;
}

/** The object's fields, one per row; nested objects indent (arrays of objects show their item's fields). */
export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const target = schema.items && !schema.items.$ref ? schema.items : schema;
  const extended = target.allOf?.find((s) => s.properties);
  const object = target.properties ? target : extended;
  if (!object?.properties) {
    return (
      <p className="text-sm">
        <TypeText schema={schema} />
        {schema.description && (
          <span className="ml-2 text-slate-700 dark:text-slate-300">
            <InlineCode text={schema.description} />
          </span>
        )}
      </p>
    );
  }
  const required = new Set(object.required ?? []);
  return (
    <ul className={`space-y-2 ${depth > 0 ? 'mt-2 border-l border-slate-200 pl-4 dark:border-slate-700' : ''}`}>
      {Object.entries(object.properties).map(([name, field]) => (
        <li key={name} className="text-sm">
          <div className="flex flex-wrap items-baseline gap-x-2">
            <code className="font-mono font-semibold">{name}</code>
            <TypeText schema={field} />
            {required.has(name) ? (
              <span className="text-xs font-medium text-red-700 dark:text-red-300">required</span>
            ) : (
              <span className="text-xs text-slate-500 dark:text-slate-400">optional</span>
            )}
            {constraints(field).map((c) => (
              <span key={c} className="text-xs text-slate-500 dark:text-slate-400">
                {c}
              </span>
            ))}
          </div>
          {field.description && (
            <p className="mt-0.5 text-slate-700 dark:text-slate-300">
              <InlineCode text={field.description} />
            </p>
          )}
          {depth < 3 && (field.properties || (field.items && field.items.properties)) && <SchemaView schema={field} depth={depth + 1} />}
        </li>
      ))}
    </ul>
  );
}
