import type { Role } from '@cameramonit/contracts';

/** Everything a route can require. */
export const Permission = {
  /** see cameras granted to you, their events and threads */
  camerasRead: 'cameras:read',
  /** ask questions in a camera's thread */
  questionsAsk: 'questions:ask',
  /** upload videos to a camera (web, WebDAV, FTP) */
  videosUpload: 'videos:upload',
  /** see every camera regardless of grants */
  camerasReadAll: 'cameras:read-all',
  /** create projects and cameras, change their settings */
  projectsManage: 'projects:manage',
  /** users, groups, grants */
  usersManage: 'users:manage',
  /** the installer's camera registry */
  registryWrite: 'registry:write',
  registryRead: 'registry:read',
  /** service-to-service: read/write any stored file */
  storageAll: 'storage:all',
  /** notification subscriptions of your own */
  subscriptionsOwn: 'subscriptions:own',
  /** name known objects of the cameras you see ("the postman", "our van"), for the vision model */
  namesManage: 'names:manage',
  /** analyser plugins: their state, restarts, errors, counts */
  pluginsRead: 'plugins:read',
  /** re-run the analysis of a camera's time range with its current settings */
  analysisRerun: 'analysis:rerun',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const everyone: Permission[] = [Permission.camerasRead, Permission.questionsAsk, Permission.subscriptionsOwn];

/** The role -> permission map, the only place that says who may do what. */
export const RolePermissions: Record<Role, readonly Permission[]> = {
  customer: everyone,
  supervisor: [...everyone, Permission.videosUpload, Permission.namesManage],
  manager: [...everyone, Permission.videosUpload, Permission.usersManage, Permission.camerasReadAll, Permission.namesManage],
  installer: [...everyone, Permission.registryWrite, Permission.registryRead, Permission.videosUpload],
  admin: [...Object.values(Permission).filter((p) => p !== Permission.storageAll)],
  service: [...Object.values(Permission)],
  // a camera that can only POST JPEGs, with a push token bound to one camera (the recorder checks the binding and revocation)
  device: [Permission.videosUpload],
};

export function can(role: Role, permission: Permission): boolean {
  return RolePermissions[role]?.includes(permission) ?? false;
}
