import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redact } from '@cameramonit/config';

const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's console logger with the service name and secrets removed from every line. */
export class ServiceLogger extends ConsoleLogger {
  constructor(service: string, level: LogLevel) {
    super(service, { logLevels: levels.slice(0, levels.indexOf(level) + 1), timestamp: false });
  }

  protected override formatMessage(...args: Parameters<ConsoleLogger['formatMessage']>): string {
    return redact(super.formatMessage(...args));
  }
}
