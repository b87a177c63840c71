# SimCam's sky map, for `butler register-skymap` (as LSST obs packages ship config/makeSkyMap.py):
#
#   pnpm butler register-skymap REPO -C obs/obs-sim/config/makeSkyMap.py
#
# then `-d "skymap='simcam'"` in pipetask's data query. One tract (DiscreteSkyMap) centred on
# the simulator's field, covering every pixel a simulation can have: obs-sim's visits point
# within `ditherDeg` = 0.1 deg (SIMULATION_PRESETS.full) of DEFAULT_FIELD_CENTER (RA 150,
# Dec +2.2: the COSMOS field, src/visits.ts), and the farthest pixel of SimCam's 2x2 mosaic of
# 2048^2 CCDs (0.2"/pixel, 0.5 mm gaps, pincushion distortion) is 0.1634 deg from the boresight
# (TrueWcs of the detector corners at any rotation), so no pixel lies beyond 0.2634 deg of the
# centre; the truth catalog stops at 0.25 deg. 0.27 deg leaves 24" of margin. The demo's test
# (tools/demo/src/sky-map-config.test.ts) checks these numbers against obs-sim's.
#
# Pixels of 0.2" (SimCam's own scale, as obs_lsst's 0.2 for LSSTCam), a TAN projection, and
# patches of 2000 x 2000 pixels (6.7') plus LSST's default 100-pixel border: a 10000^2-pixel
# tract of 5 x 5 patches, each a little larger than one SimCam CCD.
config.name = 'simcam'
config.skyMap.name = 'discrete'
config.skyMap['discrete'].raList = [150.0]
config.skyMap['discrete'].decList = [2.2]
config.skyMap['discrete'].radiusList = [0.27]
config.skyMap['discrete'].projection = 'TAN'
config.skyMap['discrete'].pixelScale = 0.2
config.skyMap['discrete'].tractOverlap = 0.0
config.skyMap['discrete'].tractBuilder['legacy'].patchInnerDimensions = [2000, 2000]
config.skyMap['discrete'].tractBuilder['legacy'].patchBorder = 100
