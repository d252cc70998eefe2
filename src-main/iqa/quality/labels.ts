// Labels of the quality model's training images: the synthetic sets' pseudo-MOS, and what an undistorted photo gets.
import { pseudoMos } from '../../imaging/synth/pseudo-mos';

/** The pseudo-MOS of a perfect copy (MS-SSIM 1, PSNR infinite): about 5.0. */
export const REFERENCE_MOS = pseudoMos(1, Infinity);
