import { decodeJwt, jwtVerify } from 'jose';

/**
 * Supabase's project API keys, as clients send them in `Authorization: Bearer`. They are not
 * access tokens (no session, no `aud`): the legacy ones are JWTs `{ iss: "supabase", role, ref }`
 * signed with the project's JWT secret; the new ones are opaque (`sb_publishable_…`,
 * `sb_secret_…`).
 */

/**
 * True when `authorization` is the project's public (anon / publishable) key, which supabase-js
 * sends when no one is signed in. It grants nothing, so it is recognised without verifying it:
 * the caller is then no one, and the visitor proof decides.
 */
export function isPublicApiKey(authorization: string): boolean {
  const token = authorization.replace(/^bearer\s+/i, '').trim();
  if (token.startsWith('sb_publishable_')) return true;
  try {
    const claims = decodeJwt(token);
    return claims.iss === 'supabase' && claims.role === 'anon';
  } catch {
    return false;
  }
}

/**
 * True when `token` is a legacy `service_role` API key signed with the project's JWT secret
 * (HS256 only). New `sb_secret_…` keys cannot be verified here: list them in SERVICE_API_KEYS.
 */
export async function isServiceRoleApiKey(
  token: string,
  jwtSecret: string | undefined,
): Promise<boolean> {
  if (!jwtSecret) return false;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), {
      issuer: 'supabase',
      algorithms: ['HS256'],
    });
    return payload.role === 'service_role';
  } catch {
    return false;
  }
}
