// Control routes every OAuth provider's simulator has, under its prefix: counters, config (show and patch),
// and its token families ("grants", never a token value).
import type { z } from 'zod';
import { applyConfigPatch, configView, type ConfigFields } from './config-fields';
import { parseBody } from './control';
import { familyView } from './families';
import { json, type RequestContext } from './http';
import type { OAuthProviderState } from './oauth-state';
import type { Route } from './route-table';

export interface ConfigControl<C> {
  /** Validates a PATCH body (a strict object of optional fields: a bad one answers 400 naming the field). */
  schema: z.ZodType<Record<string, unknown>>;
  fields: ConfigFields<C>;
  /** Fields kept outside the provider's config (e.g. the core's auto-consent switch). */
  outside?: {
    view(ctx: RequestContext): Record<string, unknown>;
    patch(ctx: RequestContext, patch: Record<string, unknown>): void;
  };
}

export function oauthControlRoutes<C extends object, S extends OAuthProviderState<C>>(
  prefix: string,
  control: ConfigControl<C>,
): Array<Route<S>> {
  const view = (ctx: RequestContext, part: S) => ({ ...control.outside?.view(ctx), ...configView(part.config, control.fields) });
  return [
    { method: 'GET', path: `${prefix}/counters`, handle: (_ctx, part) => json(200, part.counters) },
    { method: 'GET', path: `${prefix}/config`, handle: (ctx, part) => json(200, view(ctx, part)) },
    {
      method: 'PATCH',
      path: `${prefix}/config`,
      handle: async (ctx, part) => {
        const parsed = await parseBody(ctx, control.schema);
        if (!parsed.ok) return parsed.reply;
        control.outside?.patch(ctx, parsed.value);
        applyConfigPatch(part.config, parsed.value, control.fields);
        return json(200, view(ctx, part));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/grants`,
      handle: (_ctx, part) => json(200, [...part.families.families.values()].map(familyView)),
    },
  ];
}
