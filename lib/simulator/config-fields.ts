// A provider's config as its control API shows and patches it: snake_case fields mapped onto the config's keys.

/** Control field name → the config key it shows. */
export type ConfigFields<C> = Readonly<Record<string, keyof C>>;

export function configView<C>(config: C, fields: ConfigFields<C>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([field, key]) => [field, config[key]]));
}

/** Sets each field the (already validated) patch names; an absent or undefined field is left as it is. */
export function applyConfigPatch<C>(config: C, patch: Record<string, unknown>, fields: ConfigFields<C>): void {
  for (const [field, key] of Object.entries(fields)) {
    if (patch[field] !== undefined) config[key] = patch[field] as C[keyof C];
  }
}
