import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { can, type Permission } from './permissions.js';
import { TokenService, type AuthUser } from './tokens.js';

export const PUBLIC_KEY = 'cameramonit:public';
export const PERMISSION_KEY = 'cameramonit:permission';

/** The route needs no login (login itself, health, signed media). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** The route needs a login whose role has this permission. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

export type AuthenticatedRequest = Request & { user?: AuthUser };

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * The one guard of every app (registered globally): routes are closed unless marked @Public;
 * a route must name the permission it needs, checked against the role map.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true; // bus handlers are trusted peers on the broker
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    const user = token ? this.tokens.verify(token) : null;
    if (!user) throw new UnauthorizedException('Log in first: send "Authorization: Bearer <accessToken>" from POST /api/auth/login');
    request.user = user;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (!permission) throw new ForbiddenException('This route declares no permission, so it is closed');
    if (!can(user.role, permission)) throw new ForbiddenException(`Your role (${user.role}) may not do this (needs ${permission})`);
    return true;
  }
}

/** The logged-in user of the request (set by AuthGuard). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new UnauthorizedException('Log in first');
  return user;
});
