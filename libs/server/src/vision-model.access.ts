import type { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '@cameramonit/auth';
import { parseCameraAnalysisSettings, readVisionModelOptions, type ModelCallPurpose, type VisionModelOptions } from '@cameramonit/contracts';
import { CameraEntity, ModelUsageEntity, ObjectNameEntity, ProjectIntegrationEntity } from '@cameramonit/db';
import { openVisionModel, type KnownObjectName, type ModelCallRecord, type RetryPolicy, type VisionModel, type VisionModelSettings } from '@cameramonit/vision';

/** A project's vision model, ready to call. */
export interface ProjectVisionModel {
  projectId: string;
  /** the configured model name (the ledger's, before the server says which answered) */
  modelName: string;
  baseUrl: string;
  options: VisionModelOptions;
  model: VisionModel;
}

export type VisionModelFactory = (settings: VisionModelSettings) => VisionModel;

/**
 * What video-to-text (event descriptions) and chat (period summaries) share about a project's
 * vision model: the enabled integration with its key opened, the camera's prompt and the
 * supervisor's names for the prompt, and the usage ledger.
 */
export class VisionModelAccess {
  private readonly secrets: SecretBox;

  constructor(
    private readonly db: DataSource,
    secretsKey: string,
    private readonly open: VisionModelFactory = openVisionModel,
  ) {
    this.secrets = new SecretBox(secretsKey);
  }

  /** The project's enabled vision model, or null when it has none (local text only). */
  async forProject(projectId: string): Promise<ProjectVisionModel | null> {
    const integration = await this.db.getRepository(ProjectIntegrationEntity).findOneBy({ projectId, kind: 'vision-model', enabled: true });
    if (!integration) return null;
    const options = readVisionModelOptions(integration.options);
    let apiKey: string | null = null;
    if (integration.apiKeySealed) {
      try {
        apiKey = this.secrets.open(integration.apiKeySealed);
      } catch {
        // sealed with another SECRETS_KEY: calls go without a key and the server refuses them (ledger: rejected)
        apiKey = null;
      }
    }
    return {
      projectId,
      modelName: integration.model,
      baseUrl: integration.baseUrl,
      options,
      model: this.open({ baseUrl: integration.baseUrl, model: integration.model, apiKey, timeoutMs: options.timeoutSec * 1000 }),
    };
  }

  /** The camera's own instructions for the model (CameraAnalysisSettings.prompt), null when unset or unreadable. */
  cameraPrompt(camera: Pick<CameraEntity, 'analysisSettings'>): string | null {
    try {
      return parseCameraAnalysisSettings(JSON.parse(camera.analysisSettings ?? 'null')).prompt;
    } catch {
      return null;
    }
  }

  /** The supervisor's names for known objects of the camera. */
  async names(cameraId: string): Promise<KnownObjectName[]> {
    const rows = await this.db.getRepository(ObjectNameEntity).find({ where: { cameraId }, order: { createdAt: 'ASC' }, take: 50 });
    return rows.map((r) => ({ name: r.name, label: r.label, description: r.description }));
  }

  /** One ledger row per call to the model. */
  async recordCall(
    entry: { projectId: string; cameraId: string | null; eventId: string | null; purpose: ModelCallPurpose; modelName: string },
    call: ModelCallRecord,
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    await manager.getRepository(ModelUsageEntity).insert({
      projectId: entry.projectId,
      cameraId: entry.cameraId,
      eventId: entry.eventId,
      purpose: entry.purpose,
      model: (call.model ?? entry.modelName).slice(0, 200),
      promptTokens: call.usage.promptTokens,
      completionTokens: call.usage.completionTokens,
      outcome: call.outcome,
      error: call.error?.slice(0, 2000) ?? null,
      durationMs: Math.round(call.durationMs),
    });
  }
}

/** The retry policy of a project's integration; `baseDelayMs` is the first wait (tests make it short). */
export function retryPolicyOf(options: VisionModelOptions, baseDelayMs = 2_000): RetryPolicy {
  return { maxAttempts: options.maxAttempts, baseDelayMs, maxDelayMs: 60_000, maxRetryAfterMs: 120_000 };
}
