import { ConflictException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Role, VerifiedUser } from '@cameramonit/contracts';
import { generatePassword, hashPassword, TokenService, verifyPassword } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import { CameraGrantEntity, UserEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';

/** Users and login: the manager app owns the `users` and `camera_grants` tables. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(CameraGrantEntity) private readonly grants: Repository<CameraGrantEntity>,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** First start: create the first admin; a generated password is printed once, never admin/admin. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const password = this.config.adminPassword ?? generatePassword();
    await this.create({ email: this.config.adminEmail, displayName: 'Admin', role: 'admin', password });
    if (this.config.adminPassword) this.logger.log(`Created the first admin ${this.config.adminEmail} with the password from CAMERAMONIT_ADMIN_PASSWORD`);
    else this.logger.log(`Created the first admin: ${this.config.adminEmail} / ${password} (shown only now; change it after logging in)`);
  }

  async create(input: { email: string; displayName: string; role: Role; password: string }): Promise<VerifiedUser> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.existsBy({ email })) throw new ConflictException(`A user with the email ${email} exists already`);
    const user = await this.users.save(this.users.create({ email, displayName: input.displayName, role: input.role, passwordHash: await hashPassword(input.password) }));
    return toVerified(user);
  }

  async list(): Promise<VerifiedUser[]> {
    return (await this.users.find({ order: { createdAt: 'ASC' } })).map(toVerified);
  }

  /** The user for these credentials, or null. Takes the same time whether or not the email exists. */
  async verify(email: string, password: string): Promise<VerifiedUser | null> {
    const user = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return user && ok ? toVerified(user) : null;
  }

  async login(email: string, password: string): Promise<{ accessToken: string; user: VerifiedUser } | null> {
    const user = await this.verify(email, password);
    return user ? { accessToken: this.tokens.sign(user), user } : null;
  }

  async grant(userId: string, cameraId: string): Promise<void> {
    if (!(await this.users.existsBy({ id: userId }))) throw new NotFoundException(`No user ${userId}`);
    if (await this.grants.existsBy({ userId, cameraId })) return;
    await this.grants.insert({ userId, cameraId });
  }

  async revoke(userId: string, cameraId: string): Promise<void> {
    await this.grants.delete({ userId, cameraId });
  }
}

// a valid hash of a random string, so unknown emails cost the same scrypt work
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$0IHeL_tDkUMdA6xq2c2zZJHiX1Cgo0LROi4i8sAvBZE';

function toVerified(user: UserEntity): VerifiedUser {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
}
