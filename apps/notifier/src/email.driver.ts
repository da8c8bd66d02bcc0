import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; cid: string; contentType: string }[];
}

/** The one place that sends email. */
export interface EmailDriver {
  send(message: EmailMessage, from: string): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer. */
export class SmtpEmailDriver implements EmailDriver {
  private readonly transport: Transporter;

  constructor(smtpUrl: string) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(message: EmailMessage, from: string): Promise<void> {
    await this.transport.sendMail({ from, ...message });
  }

  close(): void {
    this.transport.close();
  }
}

/** No SMTP configured: the email is written to the log instead. */
export class LogEmailDriver implements EmailDriver {
  private readonly logger = new Logger('Email');

  async send(message: EmailMessage, from: string): Promise<void> {
    this.logger.log(`(no SMTP_URL, not sent) From: ${from} To: ${message.to} Subject: ${message.subject}\n${message.text}`);
  }

  close(): void {}
}

export const EMAIL_DRIVER = Symbol('EMAIL_DRIVER');
