import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretBox } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import { CameramonitError, parseVisionModelOptions, readVisionModelOptions, type ModelCallOutcome, type ModelCallPurpose, type VisionModelOptions } from '@cameramonit/contracts';
import { ModelUsageEntity, ProjectEntity, ProjectIntegrationEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';

export interface VisionModelIntegrationInput {
  baseUrl: string;
  model: string;
  /** a new key; null or '' removes it; undefined keeps the stored one */
  apiKey?: string | null;
  enabled?: boolean;
  options?: Partial<VisionModelOptions>;
}

/** What the API shows of an integration: never the key, only whether there is one. */
export interface VisionModelIntegrationView {
  projectId: string;
  kind: 'vision-model';
  baseUrl: string;
  model: string;
  hasApiKey: boolean;
  enabled: boolean;
  options: VisionModelOptions;
  updatedAt: string;
}

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ProjectUsage {
  projectId: string;
  from: string | null;
  to: string | null;
  totals: UsageTotals;
  byOutcome: Partial<Record<ModelCallOutcome, number>>;
  byPurpose: Partial<Record<ModelCallPurpose, UsageTotals>>;
  byModel: (UsageTotals & { model: string })[];
}

const MODEL_NAME = /^[A-Za-z0-9][\w.:/@+-]{0,199}$/;

/** Checks an endpoint's base URL: http(s), no credentials, query or fragment; returns it without a trailing slash. */
export function normaliseBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new CameramonitError('INVALID_BASE_URL', `baseUrl "${input}" is not a URL; use e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1`, 400);
  }
  const problems: string[] = [];
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('it must start with http:// or https://');
  if (url.username || url.password) problems.push('put the key in apiKey, not in the URL');
  if (url.search || url.hash) problems.push('it must have no ?query or #fragment');
  if (problems.length) throw new CameramonitError('INVALID_BASE_URL', `baseUrl ${problems.join('; ')}`, 400);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The admin app owns `project_integrations`: a project's vision model, its key sealed at rest. */
@Injectable()
export class IntegrationsService {
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = new SecretBox(config.secretsKey);
  }

  async getVisionModel(projectId: string): Promise<VisionModelIntegrationView> {
    await this.project(projectId);
    const row = await this.db.getRepository(ProjectIntegrationEntity).findOneBy({ projectId, kind: 'vision-model' });
    if (!row) throw new NotFoundException(`Project ${projectId} has no vision model; PUT one to describe its events`);
    return view(row);
  }

  async putVisionModel(projectId: string, input: VisionModelIntegrationInput): Promise<VisionModelIntegrationView> {
    await this.project(projectId);
    const baseUrl = normaliseBaseUrl(input.baseUrl);
    const model = input.model.trim();
    if (!MODEL_NAME.test(model)) {
      throw new CameramonitError('INVALID_MODEL', `model "${input.model}" is not a model name (letters, digits and . : / @ + - _, e.g. gpt-4o-mini or llava:13b)`, 400);
    }
    if (typeof input.apiKey === 'string' && /\s/.test(input.apiKey.trim())) {
      throw new CameramonitError('INVALID_API_KEY', 'apiKey must have no spaces', 400);
    }
    const repository = this.db.getRepository(ProjectIntegrationEntity);
    const existing = await repository.findOneBy({ projectId, kind: 'vision-model' });
    const options = parseVisionModelOptions(input.options ?? {}, existing ? readVisionModelOptions(existing.options) : undefined);
    const apiKeySealed =
      input.apiKey === undefined ? (existing?.apiKeySealed ?? null) : input.apiKey === null || input.apiKey.trim() === '' ? null : this.secrets.seal(input.apiKey.trim());
    const row = await repository.save({
      ...(existing ?? {}),
      projectId,
      kind: 'vision-model' as const,
      baseUrl,
      model,
      apiKeySealed,
      enabled: input.enabled ?? existing?.enabled ?? true,
      options: JSON.stringify(options),
      updatedAt: new Date(),
    });
    return view(row);
  }

  async deleteVisionModel(projectId: string): Promise<void> {
    await this.project(projectId);
    const result = await this.db.getRepository(ProjectIntegrationEntity).delete({ projectId, kind: 'vision-model' });
    if (!result.affected) throw new NotFoundException(`Project ${projectId} has no vision model`);
  }

  /** Calls and tokens of the project's model in [from, to). */
  async usage(projectId: string, from: Date | null, to: Date | null): Promise<ProjectUsage> {
    await this.project(projectId);
    if (from && to && from.getTime() > to.getTime()) throw new CameramonitError('INVALID_RANGE', '"from" must be before "to"', 400);
    const qb = this.db
      .getRepository(ModelUsageEntity)
      .createQueryBuilder('u')
      .select('u.model', 'model')
      .addSelect('u.purpose', 'purpose')
      .addSelect('u.outcome', 'outcome')
      .addSelect('COUNT(*)', 'calls')
      .addSelect('SUM(u.promptTokens)', 'promptTokens')
      .addSelect('SUM(u.completionTokens)', 'completionTokens')
      .where('u.projectId = :projectId', { projectId })
      .groupBy('u.model')
      .addGroupBy('u.purpose')
      .addGroupBy('u.outcome');
    if (from) qb.andWhere('u.createdAt >= :from', { from });
    if (to) qb.andWhere('u.createdAt < :to', { to });
    const rows = (await qb.getRawMany()) as { model: string; purpose: ModelCallPurpose; outcome: ModelCallOutcome; calls: string | number; promptTokens: string | number | null; completionTokens: string | number | null }[];
    const empty = (): UsageTotals => ({ calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    const add = (totals: UsageTotals, row: (typeof rows)[number]) => {
      totals.calls += Number(row.calls);
      totals.promptTokens += Number(row.promptTokens ?? 0);
      totals.completionTokens += Number(row.completionTokens ?? 0);
      totals.totalTokens = totals.promptTokens + totals.completionTokens;
    };
    const totals = empty();
    const byOutcome: ProjectUsage['byOutcome'] = {};
    const byPurpose: ProjectUsage['byPurpose'] = {};
    const byModel = new Map<string, UsageTotals>();
    for (const row of rows) {
      add(totals, row);
      byOutcome[row.outcome] = (byOutcome[row.outcome] ?? 0) + Number(row.calls);
      add((byPurpose[row.purpose] ??= empty()), row);
      const model = byModel.get(row.model) ?? empty();
      add(model, row);
      byModel.set(row.model, model);
    }
    return {
      projectId,
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      totals,
      byOutcome,
      byPurpose,
      byModel: [...byModel.entries()].map(([model, t]) => ({ model, ...t })).sort((a, b) => b.totalTokens - a.totalTokens),
    };
  }

  private async project(id: string): Promise<ProjectEntity> {
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ id });
    if (!project) throw new NotFoundException(`No project ${id}`);
    return project;
  }
}

function view(row: ProjectIntegrationEntity): VisionModelIntegrationView {
  return {
    projectId: row.projectId,
    kind: 'vision-model',
    baseUrl: row.baseUrl,
    model: row.model,
    hasApiKey: !!row.apiKeySealed,
    enabled: row.enabled,
    options: readVisionModelOptions(row.options),
    updatedAt: row.updatedAt.toISOString(),
  };
}
