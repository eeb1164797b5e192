// `npm run openapi`: writes docs/openapi.json and client/src/types.ts from the API's zod schemas.
import { writeFileSync } from 'node:fs';
import { generatedFiles } from './openapi-files';

for (const [path, text] of Object.entries(await generatedFiles())) {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
