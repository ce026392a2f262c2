"""The demo's computations, one job per module, so that ``app.py`` is layout and wiring only.

* ``settings``  defaults and limits (environment variables, the default model and precision)
* ``models``    the model list (bundled models from ``liif.list_models``, checkpoints in a folder), the cache
* ``uploads``   uploaded files -> images through ``liif.load_image``, with one plain sentence for bad files
* ``views``     display copies: 8-bit images, magnified crops, bicubic windows, the zoom locator
* ``reports``   an ``iqa.Report`` as the verdict, a readable table and one line for unavailable scores
* ``compare``   compare scales (gain over bicubic against the scale) and compare models at one scale
* ``reference`` the reference tab: the benchmark protocol of ``liif.evaluate``, scores and error maps
* ``prefetch``  background download of the quality models' weights, with a status for the page

``studio`` imports ``liif`` and ``iqa``; gradio only in ``studio.tabs`` (each tab's layout and wiring).
"""
