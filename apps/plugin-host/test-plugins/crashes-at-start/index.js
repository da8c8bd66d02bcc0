// Dies before it ever connects.
throw new Error('cannot load my model');
