// Warnings for a training config whose ImageNet-sized backbone (ResNet, VGG) would start from random weights.

/** One warning per network of `model` that trains from scratch with `config` (the model's defaults filled in). */
export function fromScratchWarnings(model: string, config: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (model === 'hyperiqa') {
    const backbone = (config.backbone as string | undefined) ?? 'resnet50';
    if ((backbone === 'resnet50' || backbone === 'resnet18') && !config.backboneWeights) {
      const name = backbone === 'resnet50' ? 'ResNet-50' : 'ResNet-18';
      out.push(
        `HyperIQA's ${name} backbone will train from scratch: the paper starts from ImageNet weights. Set backboneWeights to a torchvision ${backbone} file (.pth or .safetensors).`,
      );
    }
  }
  if (model === 'sftnet') {
    if (((config.scale as string | undefined) ?? 'paper') === 'paper' && !config.backboneWeights) {
      out.push("SFTnet's VGG-16 will train from scratch: the paper fine-tunes ImageNet weights. Set backboneWeights to a torchvision vgg16 file (.pth or .safetensors).");
    }
  }
  if (model === 'dtgan') {
    if (((config.scale as string | undefined) ?? 'paper') === 'paper' && !config.vggWeights) {
      out.push("DT-GAN's semantic loss L_s (eq. 13) will be off: the paper computes it with ImageNet VGG-16. Set vggWeights to a torchvision vgg16 file (.pth or .safetensors).");
    }
  }
  return out;
}
