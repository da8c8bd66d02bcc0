import { Module } from '@nestjs/common';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { DeliveriesService } from './deliveries.service.js';
import { EMAIL_DRIVER, LogEmailDriver, SmtpEmailDriver } from './email.driver.js';
import { NotifierController } from './notifier.controller.js';

@Module({
  controllers: [NotifierController],
  providers: [
    DeliveriesService,
    { provide: EMAIL_DRIVER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => (config.smtpUrl ? new SmtpEmailDriver(config.smtpUrl) : new LogEmailDriver()) },
  ],
})
export class NotifierModule {}
