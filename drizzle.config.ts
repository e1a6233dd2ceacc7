/**
 * drizzle-kit: `npx drizzle-kit generate` turns src/persistence/schema.ts into the SQL migrations
 * committed in migrations/. The same files are applied to PGlite and to Postgres by
 * src/persistence/migrate.ts (drizzle's migrator), at start and by `traderv3 migrate`.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/persistence/schema.ts',
  out: './migrations',
  strict: true,
  verbose: true,
});
