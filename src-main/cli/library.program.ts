// The `iqa library` command group's arguments and options (the actions are in library.command.ts).
import { Command, InvalidArgumentError, Option } from 'commander';
import { PHOTO_COLORS, PhotoRatingFilter, PhotoSort, SidecarNaming, XmpTarget } from '../../src-shared/api/schemas';
import {
  libraryAddCommand, libraryCalibrateCommand, libraryCollectionsCommand, libraryExportCommand, libraryListCommand, libraryRateCommand, libraryRescanCommand,
  libraryScoreCommand, libraryStatsCommand, libraryXmpBackupsCommand, libraryXmpReadCommand, libraryXmpWriteCommand,
} from './library.command';
import { parsePositiveInt } from './synth.command';

function parseStars(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 5) throw new InvalidArgumentError('must be a whole number of stars, 0-5');
  return n;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

/** The grid's filters, shared by list, xmp write and export. */
function withFilters(cmd: Command): Command {
  return cmd
    .addOption(new Option('--rating <which>', 'all, notRejected, rejected, unrated, rated (by you), predicted').choices(PhotoRatingFilter.options))
    .option('--stars-min <n>', 'at least N stars (yours, else predicted); leaves out rejected photos', parseStars)
    .option('--score-min <x>', 'score at least X', parseNumber)
    .option('--score-max <x>', 'score at most X', parseNumber)
    .option('--search <text>', 'file name contains TEXT')
    .addOption(new Option('--color <label>', 'colour label, or none for photos without one').choices([...PHOTO_COLORS, 'none']));
}

export function libraryCommand(dataDirOption: () => Option, backendOption: () => Option): Command {
  const library = new Command('library').description("the photographer's library: add folders, score, list and cull, calibrate, XMP sidecars, CSV");
  const json = (cmd: Command) => cmd.option('--json', 'print JSON', false).addOption(dataDirOption());

  json(library.command('add').description('add a folder of photos as a collection (recursive; the originals are never modified)')
    .argument('<folder>', 'the folder')
    .option('--name <name>', 'collection name (default: the folder name)')
    .option('--no-recursive', 'do not descend into subfolders'))
    .action(libraryAddCommand);

  json(library.command('rescan').description('add the photos put in a collection\'s folder since it was added; report those gone')
    .argument('<collection>', 'id or name')
    .option('--no-recursive', 'look only at the top folder'))
    .action(libraryRescanCommand);

  json(library.command('collections').description('list the collections with their counts')).action(libraryCollectionsCommand);

  json(library.command('stats').description("a collection's counts: scored, rated, rejected, stars, which model scored it").argument('<collection>', 'id or name'))
    .action(libraryStatsCommand);

  json(withFilters(library.command('list').description("a collection's photos: id, score, stars, name (one JSON object per line with --json)")
    .argument('<collection>', 'id or name')
    .addOption(new Option('--sort <key>', 'order').choices(PhotoSort.options).default('name'))
    .option('--desc', 'descending order', false)
    .option('--limit <n>', 'at most N photos', parsePositiveInt)
    .option('--csv', 'CSV: id,path,score,stars,rejected,predicted_stars,color', false)))
    .action((collection: string, flags: Parameters<typeof libraryListCommand>[1] & { desc: boolean }) => libraryListCommand(collection, { ...flags, descending: flags.desc }));

  json(library.command('score').description('score every readable photo of a collection (default: the shipped HyperIQA); Ctrl-C cancels, keeping the scores so far')
    .argument('<collection>', 'id or name')
    .option('--model <id>', "a registered model's shipped weights (see iqa info)")
    .option('--run <id>', "a training run's latest checkpoint", parsePositiveInt)
    .option('--checkpoint <dir>', 'a workbench checkpoint folder (epoch-NNNN)')
    .option('--crops <n>', "crops per photo (default: the model's)", parsePositiveInt)
    .addOption(backendOption()))
    .action(libraryScoreCommand);

  json(withFilters(library.command('rate').description('set stars or the reject flag of the photos named, or of every photo a filter keeps; each is saved before the next')
    .argument('<collection>', 'id or name')
    .argument('[photos...]', 'photos by path, name or id')
    .option('--stars <n>', '0-5 stars', parseStars)
    .option('--reject', 'mark rejected')
    .option('--no-reject', 'clear the reject flag')
    .addOption(new Option('--set-color <label>', 'set the colour label (none clears it)').choices([...PHOTO_COLORS, 'none']))))
    .action(libraryRateCommand);

  json(library.command('calibrate').description('fit score → stars to the photos you rated; prints SRCC, agreement and the confusion table')
    .argument('<collection>', 'id or name')
    .option('--apply', 'predict stars for the scored photos you have not rated', false))
    .action(libraryCalibrateCommand);

  const xmp = library.command('xmp').description('XMP sidecars that Lightroom, darktable and digiKam read');
  json(withFilters(xmp.command('write').description('write xmp:Rating (-1 rejected) and the score into sidecars, merging into existing ones')
    .argument('<collection>', 'id or name')
    .addOption(new Option('--naming <style>', 'darktable/digiKam: photo.jpg.xmp; lightroom: photo.xmp').choices(SidecarNaming.options).makeOptionMandatory())
    .addOption(new Option('--into <where>', 'file: inside JPEG, TIFF and DNG files (originals kept as FILE_original until `xmp backups --confirm`), sidecars for other RAW').choices(XmpTarget.options).default('sidecar'))
    .option('--no-predicted', 'leave out predicted stars')
    .option('--no-score', "leave out the model score (the workbench's own namespace)")))
    .action(libraryXmpWriteCommand);
  json(xmp.command('read').description("import xmp:Rating from existing sidecars (either naming)")
    .argument('<collection>', 'id or name')
    .addOption(new Option('--prefer <style>', 'which sidecar wins when a photo has both').choices(SidecarNaming.options).default('darktable'))
    .option('--overwrite', "replace ratings made here with the sidecar's", false))
    .action(libraryXmpReadCommand);
  json(xmp.command('backups').description('list the originals kept from writes into the file; --confirm deletes them, --restore puts them back')
    .argument('<collection>', 'id or name')
    .addOption(new Option('--confirm', 'keep the written files and delete the backups').conflicts('restore'))
    .option('--restore', 'replace the written files with their backups'))
    .action(libraryXmpBackupsCommand);

  withFilters(library.command('export').description('CSV of path, score, stars, rejected, predicted stars, model')
    .argument('<collection>', 'id or name')
    .option('--out <file>', 'write to FILE (default: standard output)')
    .addOption(dataDirOption()))
    .action(libraryExportCommand);

  return library;
}
