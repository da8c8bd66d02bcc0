#!/usr/bin/env node
/**
 * Makes the annotated evaluation clips under fixtures/eval/ from fixtures/vtest.avi, with ffmpeg.
 *
 *   node scripts/make-eval-clips.mjs            # all clips
 *   node scripts/make-eval-clips.mjs person     # only the clips whose name contains "person"
 *
 * Every clip gets a ground-truth JSON beside it (<name>.json, see docs/evaluation.md):
 * - synthetic scenes: real people and a real van cut out of vtest.avi (difference key against an
 *   empty background made as the temporal median of vtest.avi), moved along known paths with
 *   ffmpeg overlay expressions over that background. Start and end of each event are computed here
 *   from the same key frames that drive the overlay: an object is "in view" while its box centre is
 *   inside the picture.
 * - nothing clips: the empty background with sensor noise, heavy compression, light changes, a
 *   cloud shadow, swaying foliage and a flag, camera shake. Nothing to report.
 * - vtest moments: excerpts of vtest.avi, labelled by hand (see vtestMoments below).
 * Re-running it rewrites the clips; x264 output can differ by a few bytes between ffmpeg builds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const vtest = join(root, 'fixtures', 'vtest.avi');
const outDir = join(root, 'fixtures', 'eval');
const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
const W = 768;
const H = 576;
const FPS = 10;
/** x264 settings of every clip: small files, artefacts like a modest camera stream */
const encode = ['-c:v', 'libx264', '-preset', 'medium', '-crf', '27', '-pix_fmt', 'yuv420p', '-r', String(FPS), '-movflags', '+faststart'];
/** a little sensor noise on every synthetic clip, so nothing is perfectly still */
const grain = 'noise=alls=5:allf=t';

/**
 * Moments of vtest.avi labelled by hand from frames at 2 fps (times are seconds in the excerpt).
 * An object event per group of people walking the same way at overlapping times (what a person would
 * report: "2 people walked from left to right"); people whose direction is unclear (standing, turning,
 * wandering, cut by the picture's edge) are `optional`: an event for them is neither required nor wrong.
 * The white van and the light-blue car parked at the top right are in view all the time and must
 * never be announced: any car/truck event is a false event.
 */
const vtestMoments = [
  {
    name: 'vtest-moment-a',
    fromSec: 37,
    durationSec: 10.5,
    description:
      'vtest.avi 37.0-47.5 s: two men walk out to the right (gone by 2.2 s and 3.3 s); a woman in red enters at the right at ~4.9 s and ' +
      'walks up-left, a man in black follows from the right at ~8.9 s; a man near the parking area wanders up and back; a man in a ' +
      'brown jacket stands on the left road, then walks right from ~7.5 s. Van and car parked.',
    events: [
      { kind: 'object', label: 'person', count: 2, direction: 'left-to-right', startSec: 0, endSec: 3.3, tolerance: { startSec: 0.5, endSec: 0.8 }, note: 'man with papers (centre) and man on the right, both walking out at the right edge' },
      { kind: 'object', label: 'person', count: 2, direction: 'right-to-left', startSec: 4.9, endSec: 10.5, tolerance: { startSec: 0.8, endSec: 0.5 }, note: 'woman in red from 4.9 s, man in black from 8.9 s, both still walking at the end' },
      { kind: 'object', label: 'person', count: 1, direction: null, startSec: 0, endSec: 10.5, tolerance: { startSec: 1, endSec: 1 }, optional: true, note: 'man near the parking area: up-right until 3 s, back down-left until 8 s, then right' },
      { kind: 'object', label: 'person', count: 1, direction: null, startSec: 0, endSec: 10.5, tolerance: { startSec: 1, endSec: 1 }, optional: true, note: 'man in a brown jacket on the left road: stands 3-7.5 s, then walks right' },
      { kind: 'object', label: 'person', count: 1, direction: 'left-to-right', startSec: 0, endSec: 0.4, tolerance: { startSec: 0.5, endSec: 0.5 }, optional: true, note: 'a person in red leaving at the right edge in the first frames' },
    ],
  },
  {
    name: 'vtest-moment-b',
    fromSec: 51,
    durationSec: 8,
    description:
      'vtest.avi 51-59 s: a couple walks in from the bottom right across the lawn to the left (0-3.5 s), then they stop and turn; a ' +
      'woman in red walks out at the left edge (~6.2 s); a man walks up-left from the lamp post; another enters at the right at ~6 s. ' +
      'Several people stand or turn (optional). Van and car parked. Unsure about the count: 3 to 6.',
    events: [
      { kind: 'object', label: 'person', count: [3, 6], direction: 'right-to-left', startSec: 0, endSec: 8, tolerance: { startSec: 1, endSec: 1 }, note: 'the couple, the woman in red (top left), the man from the lamp post, the man entering at 6 s' },
      { kind: 'object', label: 'person', count: 1, direction: null, startSec: 0, endSec: 8, tolerance: { startSec: 1, endSec: 1 }, optional: true, note: 'people standing, turning or leaving at the right edge in the first second' },
    ],
  },
];

function run(args) {
  const result = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}\n${result.stderr}`);
}

const work = mkdtempSync(join(tmpdir(), 'cameramonit-eval-clips-'));
const background = join(work, 'background.png');

/** The empty scene: the per-pixel median of 40 frames of vtest.avi, 2 s apart (people never stay put). */
function makeBackground() {
  run(['-i', vtest, '-vf', "select='not(mod(n,20))',tmedian=radius=19", '-vsync', '0', '-frames:v', '2', '-y', join(work, 'median%d.png')]);
  run(['-i', join(work, 'median2.png'), '-frames:v', '1', '-y', background]);
}

/**
 * A cut-out (RGBA PNG) of what differs from the empty background inside a box of vtest.avi at
 * `atSec`: a person, with a soft 1-2 px edge.
 */
function cutOut(name, atSec, x, y, w, h) {
  const file = join(work, `${name}.png`);
  const box = `${w}:${h}:${x}:${y}`;
  run([
    '-ss', String(atSec), '-i', vtest, '-i', background,
    '-filter_complex',
    `[0:v]crop=${box},format=rgb24,split[c1][c2];[1:v]crop=${box},format=rgb24[b];` +
      `[c1][b]blend=all_mode=difference,format=gray,lut=y='if(gt(val,22),255,0)',erosion,dilation,dilation,dilation,erosion,gblur=sigma=1[m];` +
      '[c2][m]alphamerge,format=rgba',
    '-frames:v', '1', '-y', file,
  ]);
  return { file, w, h };
}

/** A cut-out of a whole box with feathered edges, scaled (the van, which is parked all through vtest.avi). */
function cutBox(name, atSec, x, y, w, h, scale) {
  const file = join(work, `${name}.png`);
  run([
    '-ss', String(atSec), '-i', vtest,
    '-vf',
    `crop=${w}:${h}:${x}:${y},format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*min(1,min(min(X,W-1-X),min(Y,H-1-Y))/3)',scale=iw*${scale}:ih*${scale}`,
    '-frames:v', '1', '-y', file,
  ]);
  return { file, w: w * scale, h: h * scale };
}

/**
 * Key frames [{t, x, y}] of a cut-out's top-left corner -> an ffmpeg expression of t that
 * interpolates them linearly (held before the first and after the last).
 */
function pathExpression(keys, axis) {
  let expression = String(keys.at(-1)[axis]);
  for (let i = keys.length - 2; i >= 0; i--) {
    const a = keys[i];
    const b = keys[i + 1];
    const slope = (b[axis] - a[axis]) / (b.t - a.t);
    expression = `if(lt(t,${b.t}),${a[axis]}+(${slope.toFixed(6)})*(t-${a.t}),${expression})`;
  }
  return `if(lt(t,${keys[0].t}),${keys[0][axis]},${expression})`;
}

function positionAt(keys, t) {
  if (t <= keys[0].t) return { x: keys[0].x, y: keys[0].y };
  for (let i = 0; i < keys.length - 1; i++) {
    const a = keys[i];
    const b = keys[i + 1];
    if (t < b.t) {
      const f = (t - a.t) / (b.t - a.t);
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
    }
  }
  return { x: keys.at(-1).x, y: keys.at(-1).y };
}

/** First and last time (to 0.01 s) that the cut-out's centre is inside the picture. */
function inViewInterval(sprite, keys, durationSec) {
  let first = null;
  let last = null;
  for (let t = 0; t <= durationSec + 1e-9; t += 0.01) {
    const p = positionAt(keys, t);
    const cx = p.x + sprite.w / 2;
    const cy = p.y + sprite.h / 2;
    if (cx >= 0 && cx <= W && cy >= 0 && cy <= H) {
      first ??= t;
      last = t;
    }
  }
  return { startSec: round(first), endSec: round(last) };
}

/** Seconds the centre of the cut-out spends inside a normalised rectangle zone [x0,y0,x1,y1] (first entry to last exit). */
function inRectInterval(sprite, keys, durationSec, [x0, y0, x1, y1]) {
  let first = null;
  let last = null;
  for (let t = 0; t <= durationSec + 1e-9; t += 0.01) {
    const p = positionAt(keys, t);
    const cx = (p.x + sprite.w / 2) / W;
    const cy = (p.y + sprite.h / 2) / H;
    if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) {
      first ??= t;
      last = t;
    }
  }
  return { startSec: round(first), endSec: round(last) };
}

function round(value) {
  return Math.round(value * 100) / 100;
}

/** Renders sprites moving over the background (plus extra filters after them), encodes the clip. */
function renderScene(name, durationSec, sprites, extraFilters = []) {
  const inputs = ['-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', background];
  for (const { sprite } of sprites) inputs.push('-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', sprite.file);
  let graph = '';
  let last = '0:v';
  sprites.forEach(({ keys }, index) => {
    const label = `s${index}`;
    graph += `[${last}][${index + 1}:v]overlay=x='${pathExpression(keys, 'x')}':y='${pathExpression(keys, 'y')}':eval=frame:shortest=1[${label}];`;
    last = label;
  });
  graph += `[${last}]${[...extraFilters, grain, 'format=yuv420p'].join(',')}[out]`;
  run([...inputs, '-filter_complex', graph, '-map', '[out]', '-t', String(durationSec), ...encode, '-y', join(outDir, `${name}.mp4`)]);
}

/** Renders the still background through a filter chain (the nothing clips). */
function renderStill(name, durationSec, filters, extraEncode = []) {
  run([
    '-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', background,
    '-vf', [...filters, 'format=yuv420p'].join(','),
    '-t', String(durationSec), ...(extraEncode.length > 0 ? [...encode.slice(0, 4), ...extraEncode, ...encode.slice(6)] : encode),
    '-y', join(outDir, `${name}.mp4`),
  ]);
}

function writeTruth(name, truth) {
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ clip: `${name}.mp4`, ...truth }, null, 2) + '\n');
}

const wanted = process.argv[2];
const want = (name) => !wanted || name.includes(wanted);

mkdirSync(outDir, { recursive: true });
try {
  makeBackground();
  // people and a van cut out of vtest.avi (second, box in the 768x576 frame), chosen by looking at the frames
  const manBlack = cutOut('man-black', 63, 548, 262, 52, 104); // man in a black jacket, walking away from the camera
  const manRed = cutOut('man-red', 63, 612, 230, 56, 110); // man in a red and navy jacket
  const womanRed = cutOut('woman-red', 43, 680, 266, 50, 112); // woman in a red jacket, jeans
  const womanBlond = cutOut('woman-blond', 63, 345, 392, 70, 156); // woman with blond hair, black coat, near the camera
  const van = cutBox('van', 43, 652, 46, 70, 54, 2); // the parked white van, twice its size (nearer the camera)

  const scenes = [];

  // 1. One person walks along the road from left to right.
  scenes.push({
    name: 'person-left-to-right',
    description: 'A man walks along the road from the left edge to the right edge at about 110 px/s.',
    durationSec: 9,
    sprites: [{ sprite: manBlack, keys: [{ t: 0.5, x: -60, y: 200 }, { t: 8.3, x: 800, y: 235 }], label: 'person', direction: 'left-to-right' }],
  });

  // 2. Two people cross: one left to right on the near side of the road, one right to left on the far side.
  scenes.push({
    name: 'two-people-crossing',
    description: 'A woman walks left to right on the near side of the road while a man walks right to left on the far side; they pass each other mid-picture.',
    durationSec: 10,
    sprites: [
      { sprite: womanRed, keys: [{ t: 0.5, x: -55, y: 250 }, { t: 8.5, x: 790, y: 300 }], label: 'person', direction: 'left-to-right' },
      { sprite: manRed, keys: [{ t: 1.0, x: 800, y: 150 }, { t: 9.5, x: -60, y: 120 }], label: 'person', direction: 'right-to-left' },
    ],
  });

  // 3. A person walks in, stands in the "sign" zone for 7 s, walks on: loitering (zone allows 4 s).
  const signZone = [0.35, 0.3, 0.65, 0.75];
  scenes.push({
    name: 'person-loitering',
    description: 'A woman walks in from the left, stands still near the sign for 7 s (the "sign" zone allows 4 s), then walks out to the right.',
    durationSec: 15,
    zones: [{ name: 'sign', polygon: rectPolygon(signZone), loiterSec: 4 }],
    sprites: [
      {
        sprite: womanBlond,
        keys: [{ t: 0.5, x: -75, y: 200 }, { t: 4.0, x: 330, y: 215 }, { t: 11.0, x: 332, y: 215 }, { t: 14.5, x: 780, y: 230 }],
        label: 'person',
        direction: 'left-to-right',
        loiterZone: { name: 'sign', rect: signZone },
      },
    ],
  });

  // 4. A van drives in from the right and parks; it stays parked to the end of the clip.
  scenes.push({
    name: 'van-arrives-and-parks',
    description: 'A white van drives in from the right edge along the road and parks mid-picture at 5 s; it stays there.',
    durationSec: 10,
    sprites: [{ sprite: van, keys: [{ t: 0.5, x: 790, y: 270 }, { t: 5.0, x: 330, y: 215 }], label: ['car', 'truck', 'bus'], direction: 'right-to-left', parksAtSec: 5.0 }],
  });

  // 5. A person walks left to right behind a board that hides them for about a second.
  scenes.push({
    name: 'person-occluded',
    description: 'A man walks left to right and passes behind a grey board (150 px wide) that hides him completely for about 0.9 s; he is one person, one event.',
    durationSec: 9,
    occluder: { x: 330, y: 150, w: 150, h: 190 },
    sprites: [{ sprite: manRed, keys: [{ t: 0.5, x: -60, y: 190 }, { t: 8.3, x: 800, y: 220 }], label: 'person', direction: 'left-to-right' }],
  });

  for (const scene of scenes) {
    if (!want(scene.name)) continue;
    const extra = scene.occluder
      ? [`drawbox=x=${scene.occluder.x}:y=${scene.occluder.y}:w=${scene.occluder.w}:h=${scene.occluder.h}:color=0x6b6f72:t=fill`]
      : [];
    renderScene(scene.name, scene.durationSec, scene.sprites, extra);
    const events = [];
    for (const { sprite, keys, label, direction, loiterZone, parksAtSec } of scene.sprites) {
      const { startSec, endSec } = inViewInterval(sprite, keys, scene.durationSec);
      if (loiterZone) {
        const inZone = inRectInterval(sprite, keys, scene.durationSec, loiterZone.rect);
        events.push({ kind: 'loitering', label, count: 1, direction: null, zone: loiterZone.name, ...inZone, tolerance: { startSec: 2, endSec: 1.5 } });
        // whether a loitering person is also a walk-through event is the engine's choice: neither required nor wrong
        events.push({ kind: 'object', label, count: 1, direction, startSec, endSec, tolerance: { startSec: 1, endSec: 1 }, optional: true });
      } else if (parksAtSec !== undefined) {
        // the arrival is the event; it ends when the van stops (an engine may keep it open while it stays in view)
        events.push({ kind: 'object', label, count: 1, direction, startSec, endSec: parksAtSec, tolerance: { startSec: 1, endSec: scene.durationSec - parksAtSec } });
      } else {
        events.push({ kind: 'object', label, count: 1, direction, startSec, endSec, tolerance: { startSec: 1, endSec: 1 } });
      }
    }
    writeTruth(scene.name, {
      group: 'synthetic',
      description: scene.description,
      durationSec: scene.durationSec,
      settings: { classes: ['person', 'car', 'truck', 'bus'], zones: scene.zones ?? [] },
      events,
    });
  }

  // Nothing to report: only noise, light, leaves, compression, shake. Motion events are on where the
  // issue says the change is not motion (light, clouds, noise), so a motion event there is wrong too.
  const nothing = [
    {
      name: 'nothing-sensor-noise',
      description: 'The empty scene darkened like dusk with strong temporal sensor noise (night grain).',
      motionEvents: true,
      render: () => renderStill('nothing-sensor-noise', 8, ['eq=brightness=-0.25:contrast=0.8', 'noise=alls=28:allf=t+u'], ['-b:v', '450k', '-maxrate', '450k', '-bufsize', '900k']),
    },
    {
      name: 'nothing-compression',
      description: 'The empty scene with mild noise encoded at 60 kbit/s: blocky, pulsing compression artefacts at every key frame.',
      motionEvents: false,
      render: () => renderStill('nothing-compression', 8, ['noise=alls=8:allf=t'], ['-b:v', '60k', '-maxrate', '60k', '-bufsize', '120k', '-g', '20']),
    },
    {
      name: 'nothing-lights-on-off',
      description: 'Lights switch: the whole picture drops by 35 % brightness at 2 s, comes back at 4.5 s, drops again at 6.5 s.',
      motionEvents: true,
      render: () => renderStill('nothing-lights-on-off', 9, [grain, "eq=eval=frame:brightness='if(between(t,2,4.5)+gte(t,6.5),-0.3,0)':contrast='if(between(t,2,4.5)+gte(t,6.5),0.85,1)'"]),
    },
    {
      name: 'nothing-dusk-ramp',
      description: 'Daylight fading: brightness and saturation ramp down smoothly over 8 s.',
      motionEvents: true,
      render: () => renderStill('nothing-dusk-ramp', 8, [grain, "eq=eval=frame:brightness='-0.4*t/8':saturation='1-0.6*t/8'"]),
    },
    {
      name: 'nothing-cloud-shadow',
      description: 'A soft cloud shadow (40 % darker at its centre, ~300 px across) sweeps across the whole picture from left to right in 7 s.',
      motionEvents: true,
      render: () =>
        renderStill('nothing-cloud-shadow', 8, [
          grain,
          'format=gbrp',
          // a soft shadow: 1 - 0.4 * gaussian around a centre moving from x=-300 to x=1070
          "geq=r='r(X,Y)*(1-0.4*exp(-(pow(X-(-300+195*T),2)+pow(Y-250,2)*0.3)/(2*150*150)))':" +
            "g='g(X,Y)*(1-0.4*exp(-(pow(X-(-300+195*T),2)+pow(Y-250,2)*0.3)/(2*150*150)))':" +
            "b='b(X,Y)*(1-0.4*exp(-(pow(X-(-300+195*T),2)+pow(Y-250,2)*0.3)/(2*150*150)))'",
        ]),
    },
    {
      name: 'nothing-swaying-foliage',
      description:
        'A leafy bush on the lawn (high-contrast green texture) whose leaves sway by up to 6 px at 1-2 Hz, and a red and white flag on a pole rippling in the wind.',
      motionEvents: false,
      render: () => renderFoliage('nothing-swaying-foliage', 8),
    },
    {
      name: 'nothing-camera-shake',
      description: 'Small camera shake: the picture jitters by 1-3 px in x and y every frame (a pole in the wind).',
      motionEvents: false,
      render: () =>
        renderStill('nothing-camera-shake', 8, [
          grain,
          'pad=w=iw+8:h=ih+8:x=4:y=4:color=0x505050',
          "crop=w=768:h=576:x='4+2*sin(n*2.1)+sin(n*5.3)':y='4+2*sin(n*1.7+1)+sin(n*4.1)'",
        ]),
    },
  ];
  for (const clip of nothing) {
    if (!want(clip.name)) continue;
    clip.render();
    writeTruth(clip.name, {
      group: 'nothing',
      description: clip.description,
      durationSec: Number(clip.name === 'nothing-lights-on-off' ? 9 : 8),
      settings: { motionEvents: clip.motionEvents },
      events: [],
    });
  }

  // Hand-labelled moments of vtest.avi, re-encoded as H.264 (times below are seconds in the excerpt).
  for (const moment of vtestMoments) {
    if (!want(moment.name)) continue;
    run(['-ss', String(moment.fromSec), '-t', String(moment.durationSec), '-i', vtest, '-an', ...encode, '-y', join(outDir, `${moment.name}.mp4`)]);
    writeTruth(moment.name, {
      group: 'vtest',
      description: moment.description,
      source: { file: 'fixtures/vtest.avi', fromSec: moment.fromSec, durationSec: moment.durationSec },
      durationSec: moment.durationSec,
      settings: {},
      events: moment.events,
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const files = readdirSync(outDir).filter((file) => file.endsWith('.mp4'));
const total = files.reduce((sum, file) => sum + statSync(join(outDir, file)).size, 0);
console.log(`${files.length} clips in fixtures/eval, ${(total / 1024 / 1024).toFixed(2)} MB`);

function rectPolygon([x0, y0, x1, y1]) {
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

/** The bush and the flag: textures made once, displaced per frame by sinusoids. */
function renderFoliage(name, durationSec) {
  const leaves = join(work, 'leaves.png');
  // leaves: the lawn, contrast raised, with large static speckles (dark gaps between leaves), in an ellipse
  run([
    '-i', background,
    '-vf',
    "crop=180:140:200:330,noise=alls=90:allf=u,gblur=sigma=1.6,eq=contrast=2.2:brightness=-0.12:saturation=1.6,format=rgba," +
      "geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*lt(pow((X-90)/90,2)+pow((Y-70)/70,2),1)'",
    '-frames:v', '1', '-y', leaves,
  ]);
  const flag = join(work, 'flag.png');
  run(['-f', 'lavfi', '-i', 'color=c=red:s=90x56', '-vf', "format=rgb24,geq=r='if(lt(mod(Y,14),7),220,245)':g='if(lt(mod(Y,14),7),30,245)':b='if(lt(mod(Y,14),7),40,245)'", '-frames:v', '1', '-y', flag]);
  run([
    '-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', background,
    '-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', leaves,
    '-loop', '1', '-framerate', String(FPS), '-t', String(durationSec), '-i', flag,
    '-filter_complex',
    // leaves: each row shifted by a travelling sine (gusts), the whole bush swaying a few px
    "[1:v]geq=r='r(X+5*sin(2*PI*(1.3*T+Y/35)),Y+2*sin(2*PI*(1.9*T+X/28)))':g='g(X+5*sin(2*PI*(1.3*T+Y/35)),Y+2*sin(2*PI*(1.9*T+X/28)))':" +
      "b='b(X+5*sin(2*PI*(1.3*T+Y/35)),Y+2*sin(2*PI*(1.9*T+X/28)))':a='alpha(X+5*sin(2*PI*(1.3*T+Y/35)),Y+2*sin(2*PI*(1.9*T+X/28)))'[bush];" +
      // flag: columns move up and down by a wave travelling away from the pole, growing with the distance
      "[2:v]format=rgba,pad=90:80:0:12:color=black@0,geq=r='r(X,Y-X/90*9*sin(2*PI*(2*T-X/45)))':g='g(X,Y-X/90*9*sin(2*PI*(2*T-X/45)))':" +
      "b='b(X,Y-X/90*9*sin(2*PI*(2*T-X/45)))':a='alpha(X,Y-X/90*9*sin(2*PI*(2*T-X/45)))'[wave];" +
      "[0:v][bush]overlay=x='40+3*sin(2*PI*0.7*t)':y=360:eval=frame[a];" +
      '[a]drawbox=x=640:y=330:w=5:h=170:color=0x9a9a9a:t=fill[b];' +
      `[b][wave]overlay=x=645:y=318:eval=frame,${grain},format=yuv420p[out]`,
    '-map', '[out]', '-t', String(durationSec), ...encode, '-y', join(outDir, `${name}.mp4`),
  ]);
}
