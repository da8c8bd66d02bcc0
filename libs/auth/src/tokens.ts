import { createHmac, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@cameramonit/contracts';

export interface TokenClaims {
  sub: string;
  email: string;
  name: string;
  role: Role;
}

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

/** Access tokens (JWT, HS256) and signed media links, both from JWT_SECRET. */
export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlHours = 12,
  ) {}

  sign(user: AuthUser, ttlSeconds = this.ttlHours * 3600): string {
    const claims: TokenClaims = { sub: user.id, email: user.email, name: user.displayName, role: user.role };
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', expiresIn: ttlSeconds, issuer: 'cameramonit' });
  }

  /** The user of a valid token, or null (bad signature, expired, malformed). */
  verify(token: string): AuthUser | null {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: 'cameramonit' }) as TokenClaims;
      return { id: claims.sub, email: claims.email, displayName: claims.name, role: claims.role };
    } catch {
      return null;
    }
  }

  /** A token for service-to-service calls (e.g. video-to-text writing artifacts to storage). */
  serviceToken(service: string, ttlSeconds = 3600): string {
    return this.sign({ id: `service:${service}`, email: `${service}@service`, displayName: service, role: 'service' }, ttlSeconds);
  }

  /** Sign a media path so a browser <img>/<video> can load it without a header. */
  signMedia(path: string, ttlSeconds = 24 * 3600, now = Date.now()): { exp: number; sig: string } {
    const exp = Math.floor(now / 1000) + ttlSeconds;
    return { exp, sig: this.mediaSignature(path, exp) };
  }

  verifyMedia(path: string, exp: number, sig: string, now = Date.now()): boolean {
    if (!Number.isFinite(exp) || exp < Math.floor(now / 1000)) return false;
    const expected = Buffer.from(this.mediaSignature(path, exp));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mediaSignature(path: string, exp: number): string {
    return createHmac('sha256', `media:${this.secret}`).update(`${path}\n${exp}`).digest('base64url');
  }
}
