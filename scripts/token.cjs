#!/usr/bin/env node
// Prints a bearer token signed with the JWT_SECRET of the shell it runs in (else the development
// secret), with that shell's JWT_ISSUER and JWT_AUDIENCE when they are set.
//   npm run token -- --user 42 [--admin] [--expires 3600]
const jwt = require('jsonwebtoken');

const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const user = value('--user');
if (!user || !/^[1-9][0-9]{0,18}$/.test(user)) {
  process.stderr.write('usage: npm run token -- --user <id> [--admin] [--expires <seconds>]\n');
  process.exit(2);
}
if (process.env.JWT_PUBLIC_KEY || process.env.JWT_PUBLIC_KEY_FILE || process.env.JWT_JWKS_URL) {
  process.stderr.write('The service is configured for RS256: tokens come from your identity provider, not from this script.\n');
  process.exit(2);
}
// Keep in step with DEVELOPMENT_JWT_SECRET in apps/graph-service/src/config/app-config.ts.
const secret = process.env.JWT_SECRET || 'graph-service-development-secret';
const expiresIn = Number(value('--expires') || 86400);
const roles = args.includes('--admin') ? ['admin'] : [];
const claims = {
  ...(process.env.JWT_ISSUER ? { issuer: process.env.JWT_ISSUER.trim() } : {}),
  ...(process.env.JWT_AUDIENCE ? { audience: process.env.JWT_AUDIENCE.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
};
process.stdout.write(jwt.sign({ sub: user, roles }, secret, { algorithm: 'HS256', expiresIn, ...claims }) + '\n');
