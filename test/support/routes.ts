import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { PERMISSION_KEY, PUBLIC_KEY, type Permission } from '@cameramonit/auth';
import { LoginController } from '@cameramonit/server';
import { AdminController } from '../../apps/admin/src/admin.controller.js';
import { IntegrationsController } from '../../apps/admin/src/integrations.controller.js';
import { AnalysisSettingsController } from '../../apps/admin/src/analysis-settings.controller.js';
import { ChatController, MediaController } from '../../apps/chat/src/chat.controller.js';
import { NamesController } from '../../apps/chat/src/names.controller.js';
import { PushProxyController } from '../../apps/chat/src/push.proxy.controller.js';
import { LiveProxyController } from '../../apps/chat/src/live.proxy.controller.js';
import { RecordingsController } from '../../apps/chat/src/recordings.controller.js';
import { LiveController } from '../../apps/recorder/src/live/live.controller.js';
import { PushTokensController } from '../../apps/admin/src/push-tokens.controller.js';
import { OnvifDiscoveryController } from '../../apps/admin/src/onvif-discovery.controller.js';
import { OnvifController } from '../../apps/installer/src/onvif/onvif.controller.js';
import { PushController } from '../../apps/recorder/src/push/push.controller.js';
import { InstallerController } from '../../apps/installer/src/installer.controller.js';
import { ManagerController } from '../../apps/manager/src/manager.controller.js';
import { NotifierController } from '../../apps/notifier/src/notifier.controller.js';
import { PluginsController } from '../../apps/plugin-host/src/plugins.controller.js';
import { RecorderController } from '../../apps/recorder/src/recorder.controller.js';
import { ExportController } from '../../apps/storage/src/export.controller.js';
import { StorageController } from '../../apps/storage/src/storage.controller.js';
import { ReanalysisController } from '../../apps/video-to-text/src/reanalysis.controller.js';
import { VideoToTextController } from '../../apps/video-to-text/src/video-to-text.controller.js';

export type AppName = 'chat' | 'manager' | 'admin' | 'installer' | 'recorder' | 'videoToText' | 'storage' | 'notifier' | 'pluginHost';

export interface RouteInfo {
  app: AppName;
  controller: string;
  method: string;
  path: string;
  isPublic: boolean;
  permission: Permission | undefined;
}

const controllers: [AppName, Function][] = [
  ['chat', LoginController],
  ['chat', ChatController],
  ['chat', MediaController],
  ['chat', NamesController],
  ['chat', PushProxyController],
  ['chat', LiveProxyController],
  ['chat', RecordingsController],
  ['manager', ManagerController],
  ['admin', LoginController],
  ['admin', AdminController],
  ['admin', IntegrationsController],
  ['admin', AnalysisSettingsController],
  ['admin', PushTokensController],
  ['admin', OnvifDiscoveryController],
  ['installer', InstallerController],
  ['installer', OnvifController],
  ['recorder', RecorderController],
  ['recorder', PushController],
  ['recorder', LiveController],
  ['videoToText', VideoToTextController],
  ['videoToText', ReanalysisController],
  ['storage', StorageController],
  ['storage', ExportController],
  ['notifier', NotifierController],
  ['pluginHost', PluginsController],
];

/** Every HTTP route of every app, with what it declares (read from Nest's metadata, as the guard does). */
export function allRoutes(): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const [app, controller] of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue; // bus handlers
      const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
      routes.push({
        app,
        controller: controller.name,
        method: RequestMethod[method],
        path: full,
        isPublic: Reflect.getMetadata(PUBLIC_KEY, handler) === true || Reflect.getMetadata(PUBLIC_KEY, controller) === true,
        permission: (Reflect.getMetadata(PERMISSION_KEY, handler) ?? Reflect.getMetadata(PERMISSION_KEY, controller)) as Permission | undefined,
      });
    }
  }
  return routes;
}

/** A concrete URL path for a route pattern (params become a random UUID, wildcards a file name). */
export function concretePath(path: string, id: string): string {
  return path.replace(/\*\w+/, 'demo/demo/clips/x.mp4').replace(/:\w+/g, id);
}
