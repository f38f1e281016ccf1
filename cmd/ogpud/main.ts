#!/usr/bin/env node
import { runCli } from "../cli.js";
import { ogpudCommands } from "./commands/index.js";

process.exitCode = await runCli("ogpud", ogpudCommands, process.argv.slice(2));
