// The `iqa` command line: the same services as the app, headless.
import { Command, InvalidArgumentError, Option } from 'commander';
import { appVersion } from '../app/version';
import { BACKEND_CHOICES } from '../iqa/backend';
import { HIQA_ABLATION_PRESETS } from '../iqa/models/hiqa/hiqa.ablation';
import { ablationCommand } from './ablation.command';
import { datasetsCommand, importCommand, parseRange, splitsCommand } from './datasets.command';
import { FR_METRICS, frCommand } from './fr.command';
import { exportCommand, type ExportFlags } from './export.command';
import { infoCommand } from './info.command';
import { libraryCommand } from './library.program';
import { scoreCommand, type ScoreFlags } from './score.command';
import { serveCommand, type ServeFlags } from './serve.command';
import { startCommand } from './start.command';
import { parseLevels, parseMaxSide, parsePositiveInt, parseSeed, parseTypes, synthCommand } from './synth.command';
import { evalCommand, runsCommand, trainCommand, type EvalFlags } from './train.command';
import { termSafe } from './term';
import { ttlCommand } from './ttl.command';
import { weightsCommand } from './weights.command';

function parseRatio(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('must be a number in [0, 1)');
  return n;
}

function parseIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0-65535');
  return n;
}

const dataDirOption = () =>
  new Option('--data-dir <dir>', 'folder for the database and caches (default: IQA_DATA_DIR or the per-user data folder)');
const backendOption = () =>
  new Option('--backend <name>', 'tensor backend').choices(BACKEND_CHOICES).default('auto');

export function buildProgram(): Command {
  const program = new Command('iqa')
    .description('No-reference image quality assessment workbench')
    .version(appVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the workbench over HTTP + WebSocket (127.0.0.1 unless --host; off loopback a token is required)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 7878)
    .option('--token <token>', 'access token to require (default: generated when --host is not loopback)')
    .option('--open', 'open the URL in a browser', false)
    .option('--allow-root <dir...>', 'folders clients may import datasets from (off loopback none unless given)')
    .option('--allow-host <name...>', 'extra Host names to answer to off loopback, e.g. a DNS name of this machine (others are refused: DNS rebinding)')
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(async (flags: ServeFlags) => {
      await serveCommand(flags);
    });

  program
    .command('info')
    .description('print versions, the tensor backend and the database path')
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(infoCommand);

  program
    .command('import')
    .description('import a dataset folder: a plain folder of images, or a standard IQA dataset in its published layout')
    .argument('<folder>', 'the dataset folder')
    .option('--format <id>', 'folder, csv, pyiqa, live, livemd, csiq, tid2008, tid2013, kadid10k, koniq10k, livec, spaq, bid', 'folder')
    .option('--name <name>', 'dataset name (default: the folder name)')
    .option('--file <file>', 'metadata file for csv/pyiqa formats (relative to the folder or absolute)')
    .option('--range <low,high>', 'score range, for formats that do not fix one', parseRange)
    .option('--lower-better', 'labels are lower-is-better (DMOS), for formats that do not say')
    .option('--no-recursive', 'folder format: do not descend into subfolders')
    .option('--json', 'print the result as JSON', false)
    .addOption(dataDirOption())
    .action(importCommand);

  program
    .command('datasets')
    .description('list datasets')
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .action(datasetsCommand);

  program
    .command('splits')
    .description('make N seeded content-disjoint train/test splits of a dataset')
    .argument('<dataset>', 'dataset id or name')
    .option('--train <ratio>', 'share of contents (references) for training', parseRatio, 0.8)
    .option('--val <ratio>', 'share of the training contents held out for validation', parseRatio, 0)
    .option('--repeats <n>', 'number of splits', parseIntArg, 10)
    .option('--seed <n>', 'seed of the first split (split k uses seed + k - 1)', parseIntArg, 123)
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .action(splitsCommand);

  program
    .command('synth')
    .description('build a synthetic dataset: downscale pristine photos, apply KADID-10k-style distortions, label with a pseudo-MOS, and store it')
    .argument('<sourceDir>', 'folder of pristine photos (searched recursively)')
    .requiredOption('--out <dir>', 'folder to write refs/, dist/, synthetic.csv and README.md into')
    .option('--name <name>', 'dataset name (default: the --out folder name)')
    .option('--max-side <px>', 'longest side after downscaling', parseMaxSide, 384)
    .option('--types <ids>', 'distortion ids separated by commas (default: all)', parseTypes)
    .option('--levels <list>', 'levels 1-5 separated by commas (default: 1,2,3,4,5)', parseLevels)
    .option('--per-image <n>', 'distortion types per photo, picked by the seed (default: all)', parsePositiveInt)
    .option('--seed <n>', 'seed for every random choice', parseSeed, 1)
    .option('--json', 'print the result as JSON', false)
    .addOption(dataDirOption())
    .action(synthCommand);

  program
    .command('fr')
    .description('full-reference quality of DIST against REF (images of equal size)')
    .argument('<ref>', 'reference image')
    .argument('<dist>', 'distorted image')
    .addOption(new Option('--metric <name>', 'metric').choices(FR_METRICS).default('ssim'))
    .option('--json', 'print {"metric": ..., "score": ...}', false)
    .action(frCommand);

  program
    .command('score')
    .description('score image files and folders with a model (default: the shipped model of --model)')
    .argument('<paths...>', 'image files or folders')
    .option('--model <id>', 'model id: quality (the default: technical quality with its measures), hyperiqa, cnniqa, ...')
    .option('--weights <file>', 'published weights to import (HyperIQA: the official state dict as .safetensors)')
    .option('--checkpoint <dir>', 'a workbench checkpoint folder')
    .option('--run <id>', 'the latest checkpoint of a training run', parseIntArg)
    .addOption(new Option('--crop <mode>', 'grid: the model\'s deterministic crop grid; random: seeded random crops; none: the image as given').choices(['grid', 'random', 'none']).default('grid'))
    .option('--crops <n>', 'number of crops (default: the model\'s)', parseIntArg)
    .option('--seed <n>', 'seed for --crop random', parseIntArg, 1)
    .option('--json', 'one JSON line per image: {"path": ..., "score": ..., "measures": {...}} (measures from the quality model)', false)
    .option('--csv', 'CSV: path,score,crops,error and the quality model\'s measures', false)
    .option('--no-recursive', 'do not descend into subfolders')
    .option('--save-maps <dir>', 'hiqa: also save each image\'s hallucinated reference and discrepancy map (x4) as PNGs')
    .option('--int8', 'on ONNX Runtime, the int8 graph (calibrated on the demo photos; used only where its held-out SRCC moves < 0.005 from fp32)', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(async (paths: string[], flags: ScoreFlags) => {
      await scoreCommand(paths, flags);
    });

  program
    .command('export')
    .description('write a model as a self-contained ONNX file (opset 17, weights inside) that any ONNX runtime loads')
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--model <id>', 'model id, with --weights (default hyperiqa)')
    .option('--weights <file>', 'published weights to import (HyperIQA: the official state dict as .safetensors)')
    .option('--checkpoint <dir>', 'a workbench checkpoint folder')
    .option('--run <id>', 'the latest checkpoint of a training run', parseIntArg)
    .option('--graph <kind>', 'scores (default), maps (hiqa: hallucinated reference and discrepancy) or translate-<level> (dtgan)')
    .addOption(new Option('--layout <layout>', 'layout of the crops input').choices(['nhwc', 'nchw']).default('nhwc'))
    .option('--json', 'print what was written as JSON', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(async (flags: ExportFlags) => {
      await exportCommand(flags);
    });

  program
    .command('train')
    .description('train a model on a dataset from a JSON config (see docs/training.md); "splits": N runs the N-split protocol')
    .requiredOption('--config <file>', 'JSON config: model, dataset, split or splits, modelConfig, hyper, backend')
    .option('--json', 'print the runs and the summary as JSON', false)
    .addOption(dataDirOption())
    .action(trainCommand);

  program
    .command('ablation')
    .description("HIQA's ablation study from one base config: the paper's Fig. 4 ladder (BL … full, Ours+Oracle) or leave-one-out, each row on the same splits; prints held-out SRCC/PLCC and the hallucination's PSNR")
    .requiredOption('--config <file>', 'base training config (model "hiqa"; as for iqa train)')
    .addOption(new Option('--preset <name>', 'which rows').choices(Object.keys(HIQA_ABLATION_PRESETS)).default('ladder'))
    .option('--only <ids>', 'only these rows, separated by commas (e.g. bl,hcm,full)')
    .option('--json', 'print the rows as JSON', false)
    .addOption(dataDirOption())
    .action(ablationCommand);

  program
    .command('eval')
    .description("evaluate a run's latest checkpoint: SRCC, KRCC, PLCC (raw and logistic-fitted), RMSE, per distortion type")
    .requiredOption('--run <id>', 'run id', parseIntArg)
    .option('--dataset <id|name>', 'dataset to evaluate on (default: the run\'s own, its test part)')
    .option('--split <name>', 'use the test part of this split')
    .option('--all', 'evaluate on every labelled image of the dataset', false)
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action((flags: EvalFlags) => evalCommand(flags));

  program
    .command('runs')
    .description('list training runs with their last-epoch metrics and best epoch (selected on the test set); with an id, one run in full')
    .argument('[id...]', 'a run id (or "show <id>"): its last-epoch and best-epoch figures')
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .action((args: string[], flags: { json: boolean; dataDir?: string }) => runsCommand(args[0] === 'show' ? args[1] : args[0], flags));

  program
    .command('ttl')
    .description('TTL-IQA chain: train a DT-GAN per quality level, build the auxiliary dataset, SFTnet stage 1 (levels) then stage 2 (scores); compares with direct training')
    .argument('<dataset>', 'target dataset (id or name)')
    .addOption(new Option('--scale <scale>', 'network sizes of every stage').choices(['paper', 'small', 'tiny']).default('small'))
    .option('--levels <n>', 'quality levels (2-5; the paper uses 3)', parsePositiveInt, 3)
    .option('--no-attention', 'SFTnet without its SDA attention block (plain VGG)')
    .option('--no-direct', 'skip the direct-training comparison')
    .option('--per-type', 'divide levels per distortion type (Table III)', false)
    .option('--pristine <dir>', 'pristine photos for the DT-GAN and the auxiliary domain (default: the training split\'s references)')
    .option('--sftnet-weights <file>', "torchvision vgg16 weights (.pth/.safetensors) for SFTnet's backbone (paper scale; the paper fine-tunes ImageNet VGG-16)")
    .option('--vgg-weights <file>', "torchvision vgg16 weights for DT-GAN's semantic loss L_s (eq. 13; off without them)")
    .option('--max-side <n>', 'longest side of the auxiliary images (default: shorter side = SFTnet crop × 8/7, 256 for 224)', parsePositiveInt)
    .option('--split <name>', 'split of the target dataset (default: its content-disjoint one)')
    .option('--splits <n>', 'run the chain on N content-disjoint 80/20 splits and print the mean with its 95% interval (the paper: 10)', parsePositiveInt, 1)
    .option('--seed <n>', 'seed of every stage', parseIntArg, 1)
    .addOption(new Option('--optimizer <name>', 'SFTnet optimizer (default: sgd at paper scale, adam otherwise)').choices(['sgd', 'adam']))
    .option('--dtgan-epochs <n>', 'DT-GAN epochs', parsePositiveInt)
    .option('--stage1-epochs <n>', 'SFTnet stage 1 epochs', parsePositiveInt)
    .option('--stage2-epochs <n>', 'SFTnet stage 2 (and direct) epochs', parsePositiveInt)
    .option('--json', 'print the result as JSON', false)
    .addOption(dataDirOption())
    .action(ttlCommand);

  program.addCommand(libraryCommand(dataDirOption, backendOption));
  program.addCommand(weightsCommand());

  program
    .command('start')
    .description('launch the desktop app, or serve mode in a browser when Electron is not installed')
    .option('--port <port>', 'port for serve mode', parsePort, 7878)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(startCommand);

  return program;
}

// A closed pipe (`iqa score ... | head`) ends the command quietly instead of with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await buildProgram().parseAsync(process.argv).catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`iqa: ${termSafe(msg, { newlines: true })}\n`);
  process.exitCode = 1;
});
