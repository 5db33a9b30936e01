"""One method per job type, generated from the API's OpenAPI document by clients/python/generate.py.

Do not edit: run the generator (tests/test_generated.py checks that this file is what it writes).
"""


class JobMethods:
    """Submission methods; a subclass provides _submit(type, spec, name=, pool=, max_attempts=, priority=)."""

    def train(
            self, *, dataset=None, model=None, epochs=None, batchSize=None, lr=None, momentum=None,
            weightDecay=None, seed=None, trainSubset=None, schedule=None, init=None, trajectory=None,
            precision=None, name=None, experiment=None, tags=None, reuse=None, pool=None,
            max_attempts=None, priority=None):
        """Submits a train job and returns it as a Job (not waiting for it to run).

        Args:
            dataset (str): fashion-mnist (the Debian package's IDX files), spirals (a seeded synthetic
                2-D set of 3 arms), regression-1d (a 1-D regression toy, trained with the mean squared
                error), or an uploaded dataset's id.
            model (ModelSpec): the architecture: mlp with hidden widths, vgg with channels, or preresnet
                with depth and skips (vgg and preresnet need images); required but for regression-1d,
                whose default is an mlp of hidden [200, 50, 50, 50] and one output.
            epochs (int): passes over the training split; >= 1, <= 1000; default 10.
            batchSize (int): examples per SGD step; >= 1, <= 65536; default 128.
            lr (float): the learning rate (the base rate of the schedule); > 0, <= 10; default 0.05.
            momentum (float): SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v); >= 0, < 1;
                default 0.9.
            weightDecay (float): L2 weight decay, added to the gradient; >= 0, <= 1; default 0.0001.
            seed (int): network initialisation, batch order, subset and spirals; default 0.
            trainSubset (int): train on a seeded random subset of this many examples (null: all); > 0.
            schedule (str): constant at lr; decay: dnn-mode-connectivity's (flat for half the epochs,
                then linear down to 1 % at 90 %, epochs counted from 1); cosine: from lr to 0 over the
                run, per step; one of constant, decay, cosine; default "constant".
            init (str): torchscript only: archive (default: start from the weights saved in the archive)
                or seed (fresh weights drawn with the seed by PyTorch's default rules); one of archive,
                seed.
            trajectory (int): keep the weights every this many epochs (and at the start and the end) as
                trajectory.safetensors, for a grid's trajectory plane; at most 100 kept between start
                and end; > 0.
            precision (str): fp32, or bf16 on CUDA (as torch.autocast: products and convolutions in
                bfloat16, weights, batch norm and the loss in float32; built-in architectures only); on
                a CPU only for mlp; default "fp32".
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'dataset': dataset, 'model': model, 'epochs': epochs, 'batchSize': batchSize, 'lr': lr,
            'momentum': momentum, 'weightDecay': weightDecay, 'seed': seed, 'trainSubset':
            trainSubset, 'schedule': schedule, 'init': init, 'trajectory': trajectory, 'precision':
            precision}
        return self._submit('train', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def curve(
            self, *, endpoints=None, curve=None, bends=None, epochs=None, batchSize=None, lr=None, momentum=None,
            weightDecay=None, seed=None, dataset=None, trainSubset=None, points=None, initLinear=None,
            ensembleSize=None, snapshots=None, name=None, experiment=None, tags=None, reuse=None,
            pool=None, max_attempts=None, priority=None):
        """Submits a curve job and returns it as a Job (not waiting for it to run).

        Args:
            endpoints (list of ModelRefs): the two networks the curve connects: refs to jobs ({"job":
                id}, with "artifact" for another file) or uploaded weights ({"model": id}), of one
                architecture and dataset.
            curve (str): bezier (Bernstein polynomials of the bends) or polychain (a polygonal chain
                through them); one of bezier, polychain; default "bezier".
            bends (int): points of the curve counting both endpoints (3: one free bend); >= 3, <= 16;
                default 3.
            epochs (int): epochs of curve fitting; >= 1, <= 1000; default 10.
            batchSize (int): examples per step, and the batch of the batch-norm recomputation; >= 1, <=
                65536; default 128.
            lr (float): the base rate, on dnn-mode-connectivity's schedule (flat for half the epochs,
                then linear down to 1 % at 90 %); > 0, <= 10; default 0.05.
            momentum (float): SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v); >= 0, < 1;
                default 0.9.
            weightDecay (float): the loss is cross-entropy + ½·weightDecay·‖φ(t)‖²; >= 0, <= 1; default
                0.0001.
            seed (int): the t drawn per minibatch, batch order, subset, and fresh bends when initLinear
                is false; default 0.
            dataset (str): must be the endpoints' dataset (null: theirs).
            trainSubset (int): train and evaluate train metrics on a seeded subset of this many examples
                (null: all); > 0.
            points (int): evenly spaced t in [0, 1] at which the curve and the line are evaluated; >= 2,
                <= 1001; default 61.
            initLinear (bool): interior bends start on the straight line between the endpoints; default
                true.
            ensembleSize (int): K of the ensemble of K evenly spaced curve points (default 5, or points
                where that is fewer); >= 2, <= 101; default 5.
            snapshots (object): keep the bends as they are at the start and after every k-th epoch (and
                the last), as curve-history.safetensors, for a grid's frames: "epochs" (every epoch) or
                k; at most 100 kept after the start (null: none).
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'endpoints': endpoints, 'curve': curve, 'bends': bends, 'epochs': epochs, 'batchSize':
            batchSize, 'lr': lr, 'momentum': momentum, 'weightDecay': weightDecay, 'seed': seed,
            'dataset': dataset, 'trainSubset': trainSubset, 'points': points, 'initLinear':
            initLinear, 'ensembleSize': ensembleSize, 'snapshots': snapshots}
        return self._submit('curve', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def swa(
            self, *, dataset=None, model=None, start=None, epochs=None, swaStart=None, batchSize=None, lr=None,
            swaLr=None, anneal=None, annealEpochs=None, averageEvery=None, averageUnit=None,
            evaluateEvery=None, momentum=None, weightDecay=None, seed=None, trainSubset=None, name=None,
            experiment=None, tags=None, reuse=None, pool=None, max_attempts=None, priority=None):
        """Submits a swa job and returns it as a Job (not waiting for it to run).

        Args:
            dataset (str): as train; train from the seed (or give start).
            model (ModelSpec): as train (regression-1d's own network where left out); with dataset,
                train from the seed.
            start (ModelRef): a ref to a trained network to start both runs from; model and dataset then
                come from it.
            epochs (int): the budget of each of the two runs (the SGD baseline and the SWA run); >= 2,
                <= 1000; default 20.
            swaStart (int): epochs of plain SGD at lr before averaging starts (default ¾ of epochs); >=
                1, <= 999; default 15.
            batchSize (int): examples per SGD step; >= 1, <= 65536; default 128.
            lr (float): the SGD phase's rate, and the baseline's base rate; > 0, <= 10; default 0.05.
            swaLr (float): the SWA phase's rate; > 0, <= 10; default 0.01.
            anneal (str): constant: swaLr at once; cosine: from lr to swaLr over annealEpochs, as SWALR;
                one of constant, cosine; default "cosine".
            annealEpochs (int): epochs of the cosine anneal; >= 1, <= 1000; default 1.
            averageEvery (int): update the average every this many averageUnits of the SWA phase; >= 1,
                <= 100000; default 1.
            averageUnit (str): epochs or steps; one of epochs, steps; default "epochs".
            evaluateEvery (int): score the average every this many epochs after swaStart, and at the
                last; each score costs a forward pass over the training set where the network has batch
                norm; >= 1, <= 1000; default 1.
            momentum (float): SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v); >= 0, < 1;
                default 0.9.
            weightDecay (float): L2 weight decay, added to the gradient; >= 0, <= 1; default 0.0001.
            seed (int): initialisation (without start), batch order, subset and spirals; default 0.
            trainSubset (int): train on a seeded random subset of this many examples (null: all); > 0.
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'dataset': dataset, 'model': model, 'start': start, 'epochs': epochs, 'swaStart':
            swaStart, 'batchSize': batchSize, 'lr': lr, 'swaLr': swaLr, 'anneal': anneal,
            'annealEpochs': annealEpochs, 'averageEvery': averageEvery, 'averageUnit': averageUnit,
            'evaluateEvery': evaluateEvery, 'momentum': momentum, 'weightDecay': weightDecay,
            'seed': seed, 'trainSubset': trainSubset}
        return self._submit('swa', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def fge(
            self, *, start=None, dataset=None, model=None, epochs=None, cycle=None, batchSize=None, lr1=None,
            lr2=None, momentum=None, weightDecay=None, seed=None, trainSubset=None, name=None,
            experiment=None, tags=None, reuse=None, pool=None, max_attempts=None, priority=None):
        """Submits a fge job and returns it as a Job (not waiting for it to run).

        Args:
            start (ModelRef): a ref to a trained network; model and dataset come from it.
            dataset (str): must be the start network's dataset (null: its).
            model (ModelSpec): must be the start network's architecture (null: its).
            epochs (int): epochs in all, at least half a cycle; >= 2, <= 1000; default 12.
            cycle (int): epochs per cycle of the learning rate, even; >= 2, <= 1000; default 4.
            batchSize (int): examples per SGD step; >= 1, <= 65536; default 128.
            lr1 (float): the rate at each cycle's ends; > 0, <= 10; default 0.05.
            lr2 (float): the rate at each cycle's middle, where a snapshot is taken; > 0, <= 10; default
                0.0005.
            momentum (float): SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v); >= 0, < 1;
                default 0.9.
            weightDecay (float): L2 weight decay, added to the gradient; >= 0, <= 1; default 0.0001.
            seed (int): batch order, subset and spirals; default 0.
            trainSubset (int): train on a seeded random subset of this many examples (null: all); > 0.
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'start': start, 'dataset': dataset, 'model': model, 'epochs': epochs, 'cycle': cycle,
            'batchSize': batchSize, 'lr1': lr1, 'lr2': lr2, 'momentum': momentum, 'weightDecay':
            weightDecay, 'seed': seed, 'trainSubset': trainSubset}
        return self._submit('fge', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def grid(
            self, *, plane=None, resolution=None, range=None, dataset=None, trainSubset=None, testSubset=None,
            metrics=None, recomputeBatchNorm=None, tile=None, batchSize=None, seed=None, precision=None,
            name=None, experiment=None, tags=None, reuse=None, pool=None, max_attempts=None,
            priority=None):
        """Submits a grid job and returns it as a Job (not waiting for it to run).

        Args:
            plane (PlaneSpec): the plane (or line) in weight space: points, curve, random, line, swap,
                simplex, trajectory or hessian.
            resolution (list of ints): [nx, ny] grid points per axis (ny is 1 for a line); default 21
                per axis, dnn-mode-connectivity's plane.py grid_points; default [21, 21].
            range (Range): the ends of each axis, both included (null: [-0.2, 1.2] each; random and
                hessian: [-1, 1]; trajectory: [-1.2, 1.2]; swap: x [0, 1]).
            dataset (str): must be the inputs' dataset (null: theirs).
            trainSubset (int): evaluate on the first N examples of a seeded permutation of the train
                split (null: all); > 0.
            testSubset (int): evaluate on the first N examples of a seeded permutation of the test split
                (null: all); > 0.
            metrics (list of strs): any of train_loss, train_accuracy, test_loss, test_accuracy
                (default: all four; on a regression dataset, which has no accuracy, the two losses).
            recomputeBatchNorm (bool): recompute batch-norm statistics at every point, as update_bn;
                default true.
            tile (list of ints): [tx, ty] points per tile; tiles are shared among workers; default [6,
                6].
            batchSize (int): the batch-norm pass's batch size; >= 1, <= 65536; default 128.
            seed (int): the subsets' permutation, and the spirals data; default 0.
            precision (str): fp32, or bf16 on CUDA (as torch.autocast: products and convolutions in
                bfloat16, weights, batch norm and the loss in float32; built-in architectures only); on
                a CPU only for mlp; default "fp32".
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'plane': plane, 'resolution': resolution, 'range': range, 'dataset': dataset,
            'trainSubset': trainSubset, 'testSubset': testSubset, 'metrics': metrics,
            'recomputeBatchNorm': recomputeBatchNorm, 'tile': tile, 'batchSize': batchSize, 'seed':
            seed, 'precision': precision}
        return self._submit('grid', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def align(
            self, *, reference=None, target=None, method=None, seed=None, subset=None, points=None,
            batchSize=None, trainSubset=None, testSubset=None, dataset=None, model=None, name=None,
            experiment=None, tags=None, reuse=None, pool=None, max_attempts=None, priority=None):
        """Submits a align job and returns it as a Job (not waiting for it to run).

        Args:
            reference (ModelRef): a ref to the network whose basis the target is permuted into.
            target (ModelRef): a ref to the network to permute; the same architecture as the reference.
            method (str): weights (weight matching, default) or activations (correlation of activations;
                mlp); one of weights, activations; default "weights".
            seed (int): the order in which weight matching visits the permutations, the activations'
                examples, and the spirals data; default 0.
            subset (int): activations: the training examples whose activations are compared; >= 10, <=
                60000; default 10000.
            points (int): points on each line, ends included; >= 2, <= 101; default 21.
            batchSize (int): the batch-norm pass's batch size; >= 1, <= 65536; default 128.
            trainSubset (int): evaluate the lines on a seeded subset of this many training examples
                (null: all); > 0.
            testSubset (int): evaluate the lines on a seeded subset of this many test examples (null:
                all); the same-function check uses it too; > 0.
            dataset (str): must be the inputs' dataset (null: theirs).
            model (ModelSpec): must be the inputs' architecture (null: theirs).
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'reference': reference, 'target': target, 'method': method, 'seed': seed, 'subset':
            subset, 'points': points, 'batchSize': batchSize, 'trainSubset': trainSubset,
            'testSubset': testSubset, 'dataset': dataset, 'model': model}
        return self._submit('align', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def compare(
            self, *, networks=None, testSubset=None, seed=None, dataset=None, model=None, name=None,
            experiment=None, tags=None, reuse=None, pool=None, max_attempts=None, priority=None):
        """Submits a compare job and returns it as a Job (not waiting for it to run).

        Args:
            networks (list of ModelRefs): refs to 2 to 50 networks of one architecture and dataset.
            testSubset (int): compare on a seeded subset of this many test examples (null: all); > 0.
            seed (int): the test subset's permutation; default 0.
            dataset (str): must be the inputs' dataset (null: theirs).
            model (ModelSpec): must be the inputs' architecture (null: theirs).
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'networks': networks, 'testSubset': testSubset, 'seed': seed, 'dataset': dataset,
            'model': model}
        return self._submit('compare', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def simplex(
            self, *, start=None, modes=None, vertices=None, epochsPerVertex=None, lr=None, volumeWeight=None,
            samples=None, batchSize=None, momentum=None, weightDecay=None, seed=None, trainSubset=None,
            ensembleSize=None, dataset=None, model=None, name=None, experiment=None, tags=None,
            reuse=None, pool=None, max_attempts=None, priority=None):
        """Submits a simplex job and returns it as a Job (not waiting for it to run).

        Args:
            start (ModelRef): a ref to a trained network: the first vertex, fixed (or give modes).
            modes (list of ModelRefs): refs to 2 to 8 networks: fixed vertices of a simplicial complex
                (or give start).
            vertices (int): free vertices to add, one at a time; >= 1, <= 8; default 2.
            epochsPerVertex (int): epochs of training for each added vertex; >= 1, <= 1000; default 10.
            lr (float): > 0, <= 10; default 0.01.
            volumeWeight (float): λ: the weight of −log(volume) in the loss; >= 0; default 1e-06.
            samples (int): points drawn uniformly in the simplex per minibatch; >= 1, <= 64; default 5.
            batchSize (int): examples per SGD step; >= 1, <= 65536; default 128.
            momentum (float): SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v); >= 0, < 1;
                default 0.9.
            weightDecay (float): L2 weight decay, added to the gradient; >= 0, <= 1; default 0.0001.
            seed (int): the new vertices' perturbation, the samples, batch order, subset and spirals;
                default 0.
            trainSubset (int): train on a seeded random subset of this many examples (null: all); > 0.
            ensembleSize (int): K of the ensembles of K uniform samples (ESPRO), 1 to K; >= 1, <= 100;
                default 10.
            dataset (str): must be the inputs' dataset (null: theirs).
            model (ModelSpec): must be the inputs' architecture (null: theirs).
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'start': start, 'modes': modes, 'vertices': vertices, 'epochsPerVertex':
            epochsPerVertex, 'lr': lr, 'volumeWeight': volumeWeight, 'samples': samples,
            'batchSize': batchSize, 'momentum': momentum, 'weightDecay': weightDecay, 'seed': seed,
            'trainSubset': trainSubset, 'ensembleSize': ensembleSize, 'dataset': dataset, 'model':
            model}
        return self._submit('simplex', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

    def hessian(
            self, *, network=None, top=None, trace=None, probes=None, subset=None, tolerance=None,
            maxIterations=None, batchSize=None, seed=None, vectorSeed=None, dataset=None, model=None,
            name=None, experiment=None, tags=None, reuse=None, pool=None, max_attempts=None,
            priority=None):
        """Submits a hessian job and returns it as a Job (not waiting for it to run).

        Args:
            network (ModelRef): a ref to the network whose Hessian is taken.
            top (int): how many of the largest-magnitude eigenvalues (and their eigenvectors) to find; a
                grid's hessian plane needs 2; >= 1, <= 20; default 2.
            trace (bool): also estimate the trace; default true.
            probes (int): Rademacher vectors for the trace (Hutchinson); where the network has at most
                this many parameters the trace is exact; >= 1, <= 10000; default 50.
            subset (int): the training examples whose mean loss is differentiated: the first N of a
                seeded permutation (all of them where the split is smaller); >= 1, <= 1000000; default
                5000.
            tolerance (float): power iteration stops when an eigenvalue changes by less than this,
                relative; > 0, < 1; default 0.001.
            maxIterations (int): power iteration stops after this many products per eigenvalue,
                converged or not; >= 1, <= 10000; default 100.
            batchSize (int): examples per forward pass: memory against speed; the result does not depend
                on it; >= 1, <= 65536; default 1000.
            seed (int): the subset's permutation (a grid with the same seed and trainSubset evaluates
                the same examples); default 0.
            vectorSeed (int): the starting vectors' and the probes' draws (null: seed); vary it alone to
                see how reproducible the numbers are on the same examples; default 0.
            dataset (str): must be the input's dataset (null: its own).
            model (ModelSpec): must be the input's architecture (null: its own).
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {"job": id} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {
            'network': network, 'top': top, 'trace': trace, 'probes': probes, 'subset': subset,
            'tolerance': tolerance, 'maxIterations': maxIterations, 'batchSize': batchSize, 'seed':
            seed, 'vectorSeed': vectorSeed, 'dataset': dataset, 'model': model}
        return self._submit('hessian', spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)

JOB_TYPES = ('train', 'curve', 'swa', 'fge', 'grid', 'align', 'compare', 'simplex', 'hessian')
