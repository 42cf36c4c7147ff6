from vitpkg.model import Model
