import { describe, expect, it } from 'vitest';
import { allRoutes } from './support/routes.js';

describe('every route of every app', () => {
  it('is either public or declares the permission it needs', () => {
    const routes = allRoutes();
    expect(routes.length).toBeGreaterThan(15);
    const undeclared = routes.filter((r) => !r.isPublic && !r.permission).map((r) => `${r.app} ${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('keeps the public ones to login (chat and admin pages, manager), signed media and export links, and share links (their secret is the permission)', () => {
    const open = allRoutes().filter((r) => r.isPublic).map((r) => `${r.app} ${r.method} ${r.path}`);
    expect(open.sort()).toEqual([
      'admin POST /api/auth/login',
      'chat GET /exports/:cameraId/:range',
      'chat GET /media/*path',
      'chat GET /share/:token',
      'chat GET /share/:token/video.mp4',
      'chat POST /api/auth/login',
      'manager POST /api/auth/login',
    ]);
  });
});
