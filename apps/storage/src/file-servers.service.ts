import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { ClipIngestService } from './clip-ingest.service.js';
import { ClipStore, FtpServerDriver, WebDavServerDriver } from './file-servers/index.js';
import { BusCredentialsVerifier, CameraAccessPolicy, CameraUploadPolicy } from './platform-access.js';

/** Runs the FTP and WebDAV servers next to the HTTP API, over the same clip store. */
@Injectable()
export class FileServersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FileServers');
  private readonly ftp: FtpServerDriver;
  private readonly webdav: WebDavServerDriver;

  constructor(
    store: ClipStore,
    verifier: BusCredentialsVerifier,
    uploadPolicy: CameraUploadPolicy,
    readPolicy: CameraAccessPolicy,
    ingest: ClipIngestService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const common = { store, verifier, uploadPolicy, readPolicy, uploadSink: ingest, recordingSink: ingest, logger: this.logger, host: config.bindHost };
    this.ftp = new FtpServerDriver({ ...common, port: config.ports.ftp, passiveHost: config.ftpPassiveHost, passivePortRange: config.ftpPassivePorts });
    this.webdav = new WebDavServerDriver({ ...common, port: config.ports.webdav });
  }

  async onApplicationBootstrap(): Promise<void> {
    const ftp = await this.ftp.start();
    const dav = await this.webdav.start();
    this.logger.log(`FTP on ftp://${ftp.host}:${ftp.port}, WebDAV on http://${dav.host}:${dav.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.ftp.stop(), this.webdav.stop()]);
  }
}
