import { In, type DataSource } from 'typeorm';
import { EventFeatureEntity, EventImageEntity, PluginEventEntity, PluginObjectEntity } from './entities/plugin.entities.js';

export interface EventEnrichment {
  /** features analyser plugins found, e.g. clothingColour = red */
  features: { plugin: string; key: string; value: string; valueType: 'string' | 'number' | 'boolean' }[];
  /** annotated images plugins made (paths in the clip store) */
  images: { plugin: string; path: string; contentType: string; width: number; height: number; caption: string | null }[];
  /** objects plugins found, boxes normalised to the frame */
  objects: { plugin: string; label: string; confidence: number; sec: number | null; box: { x: number; y: number; width: number; height: number } }[];
  /** for an event a plugin returned: which plugin, and the event it came from */
  source: { plugin: string; sourceEventId: string } | null;
}

const empty = (): EventEnrichment => ({ features: [], images: [], objects: [], source: null });

/** What analyser plugins added to these events (written by the plugin host), for event views. */
export async function loadEventEnrichments(db: DataSource, eventIds: string[]): Promise<Map<string, EventEnrichment>> {
  const out = new Map<string, EventEnrichment>(eventIds.map((id) => [id, empty()]));
  if (!eventIds.length) return out;
  const ids = In([...new Set(eventIds)]);
  const [features, images, objects, sources] = await Promise.all([
    db.getRepository(EventFeatureEntity).find({ where: { eventId: ids }, order: { plugin: 'ASC', createdAt: 'ASC' } }),
    db.getRepository(EventImageEntity).find({ where: { eventId: ids }, order: { plugin: 'ASC', createdAt: 'ASC' } }),
    db.getRepository(PluginObjectEntity).find({ where: { eventId: ids }, order: { plugin: 'ASC', createdAt: 'ASC' } }),
    db.getRepository(PluginEventEntity).find({ where: { eventId: ids } }),
  ]);
  for (const f of features) out.get(f.eventId)?.features.push({ plugin: f.plugin, key: f.key, value: f.value, valueType: f.valueType });
  for (const i of images) out.get(i.eventId)?.images.push({ plugin: i.plugin, path: i.path, contentType: i.contentType, width: i.width, height: i.height, caption: i.caption });
  for (const o of objects) out.get(o.eventId)?.objects.push({ plugin: o.plugin, label: o.label, confidence: o.confidence, sec: o.sec, box: JSON.parse(o.box) as EventEnrichment['objects'][number]['box'] });
  for (const s of sources) {
    const entry = out.get(s.eventId);
    if (entry) entry.source = { plugin: s.plugin, sourceEventId: s.sourceEventId };
  }
  return out;
}
