import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MoreThan, QueryFailedError, type DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import { CameraEntity, DeliveryEntity, EventEntity, ProjectEntity, SubscriptionEntity } from '@cameramonit/db';
import { APP_CONFIG, StorageClient } from '@cameramonit/server';
import { composeEventEmail } from './email.composer.js';
import { EMAIL_DRIVER, type EmailDriver } from './email.driver.js';

const MAX_ATTEMPTS = 5;

/**
 * Pushes each event to the camera's subscribers. The ledger (`deliveries`, unique per event and
 * subscription) makes a redelivered bus message or a restart send nothing twice; at boot and
 * every minute, events of the last day without a sent delivery are caught up.
 */
@Injectable()
export class DeliveriesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveriesService.name);
  private readonly storage: StorageClient;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EMAIL_DRIVER) private readonly email: EmailDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: TokenService,
  ) {
    this.storage = new StorageClient(config.storageUrl, tokens, 'notifier');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.seedDemoSubscription();
    this.timer = setInterval(() => void this.enqueue(() => this.catchUp()), 60_000);
    this.timer.unref();
    void this.enqueue(() => this.catchUp());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.email.close();
  }

  /** First start: the first admin gets the demo camera's events by email. */
  private async seedDemoSubscription(): Promise<void> {
    const subscriptions = this.db.getRepository(SubscriptionEntity);
    if ((await subscriptions.count()) > 0) return;
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ slug: 'demo' });
    const camera = project ? await this.db.getRepository(CameraEntity).findOneBy({ projectId: project.id, slug: 'demo' }) : null;
    if (!camera) return;
    await subscriptions.save({ cameraId: camera.id, userId: null, channel: 'email', address: this.config.adminEmail, enabled: true });
    this.logger.log(`Subscribed ${this.config.adminEmail} to the demo camera's events by email`);
  }

  /** Deliveries run one after another (order kept, SMTP not flooded). */
  enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => this.logger.error(`Delivery failed: ${(error as Error).message}`));
    return this.queue;
  }

  deliverEvent(eventId: string): Promise<void> {
    return this.enqueue(() => this.deliver(eventId));
  }

  private async catchUp(): Promise<void> {
    const since = new Date(Date.now() - 24 * 3600 * 1000);
    const events = await this.db.getRepository(EventEntity).find({ where: { createdAt: MoreThan(since) }, order: { createdAt: 'ASC' }, take: 500 });
    for (const event of events) await this.deliver(event.id);
  }

  private async deliver(eventId: string): Promise<void> {
    const event = await this.db.getRepository(EventEntity).findOneBy({ id: eventId });
    // a re-analysis's new events were seen already: nobody is told again
    if (!event || event.silent) return;
    const subscriptions = await this.db.getRepository(SubscriptionEntity).findBy({ cameraId: event.cameraId, enabled: true });
    if (!subscriptions.length) return;
    const ledger = this.db.getRepository(DeliveryEntity);
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: event.cameraId });
    const project = camera ? await this.db.getRepository(ProjectEntity).findOneBy({ id: camera.projectId }) : null;
    let snapshot: Buffer | null | undefined;
    for (const subscription of subscriptions) {
      if (subscription.channel !== 'email') continue; // messengers come with their own issue
      let delivery = await ledger.findOneBy({ eventId, subscriptionId: subscription.id });
      if (delivery?.status === 'sent' || (delivery && delivery.attempts >= MAX_ATTEMPTS)) continue;
      if (!delivery) {
        try {
          delivery = await ledger.save({ eventId, subscriptionId: subscription.id, channel: 'email', status: 'pending', attempts: 0, error: null, sentAt: null });
        } catch (error) {
          if (error instanceof QueryFailedError) continue; // another delivery of the same event is under way
          throw error;
        }
      }
      if (snapshot === undefined) snapshot = event.snapshotPath ? await this.storage.getBuffer(event.snapshotPath).catch(() => null) : null;
      const mail = composeEventEmail({ event, cameraName: camera?.name ?? 'camera', projectName: project?.name ?? '', publicUrl: this.config.publicUrl, snapshot });
      try {
        await this.email.send({ to: subscription.address, subject: mail.subject, text: mail.text, html: mail.html, attachments: mail.attachments }, this.config.mailFrom);
        await ledger.update({ id: delivery.id }, { status: 'sent', attempts: delivery.attempts + 1, sentAt: new Date(), error: null });
        this.logger.log(`Emailed event ${eventId} to ${subscription.address}`);
      } catch (error) {
        const message = (error as Error).message;
        await ledger.update({ id: delivery.id }, { status: 'failed', attempts: delivery.attempts + 1, error: message.slice(0, 2000) });
        this.logger.warn(`Email of event ${eventId} to ${subscription.address} failed (attempt ${delivery.attempts + 1}/${MAX_ATTEMPTS}): ${message}`);
      }
    }
  }
}
