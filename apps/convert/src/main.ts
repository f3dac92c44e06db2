import { runStageCli } from '@apollo/stage';
import { convertStage } from '@apollo/shards';

runStageCli(convertStage, __filename);
